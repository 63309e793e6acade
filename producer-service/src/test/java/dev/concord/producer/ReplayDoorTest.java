package dev.concord.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.events.ReplayRequest;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's replay door: replay requests land on the type's events topic (keyed like the entity's events, or one
 * per partition for all), only for a client with the type's admin grant, and a malformed request is a 400 naming the
 * field. That the processor then publishes the states again is ReplayTopologyTest's and the end-to-end test's part.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ReplayDoorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final RunningProducerService service = RunningProducerService.perTestClass();

    @Test
    void shouldWriteOneRequestPerEntityKeyedByItsIdAndOnePerPartitionForAll() throws Exception {
        String a = KafkaTestClients.uniqueId("replay");
        String b = KafkaTestClients.uniqueId("replay");

        HttpResponse<String> some = service.postJson("/v1/admin/replay/customer", "{\"ids\": [\"" + a + "\", \"" + b + "\", \"" + a + "\"]}");
        HttpResponse<String> all = service.postJson("/v1/admin/replay/customer", "{\"all\": true}");

        assertThat(some.statusCode()).as(some.body()).isEqualTo(202);
        assertThat(JSON.readTree(some.body()).path("requests").asInt()).isEqualTo(2);
        assertThat(all.statusCode()).as(all.body()).isEqualTo(202);
        List<ConsumerRecord<byte[], byte[]>> requests = KafkaTestClients.readAll(KafkaBrokerExtension.bootstrapServers(), "concord.events.customer")
                .stream().filter(record -> record.headers().lastHeader(ReplayRequest.HEADER) != null).toList();
        assertThat(requests).allSatisfy(record -> assertThat(record.value()).isNull());
        assertThat(requests.stream().filter(record -> scope(record).equals("entity"))
                .map(record -> new String(record.key(), StandardCharsets.UTF_8)).filter(key -> key.equals(a) || key.equals(b)))
                .containsExactlyInAnyOrder(a, b);
        Set<Integer> partitionsAsked = requests.stream().filter(record -> scope(record).equals("partition"))
                .map(ConsumerRecord::partition).collect(Collectors.toSet());
        int partitions = JSON.readTree(all.body()).path("requests").asInt();
        assertThat(partitions).isPositive();
        assertThat(partitionsAsked).hasSize(partitions);
    }

    @Test
    void shouldRefuseClientsWithoutTheAdminGrantAndMalformedRequestsNamingTheField() throws Exception {
        String ids = "{\"ids\": [\"c-1\"]}";
        assertThat(service.postJson("/v1/admin/replay/customer", ids, RunningProducerService.ANONYMOUS).statusCode()).isEqualTo(401);
        HttpResponse<String> writer = service.postJson("/v1/admin/replay/customer", ids, "X-Api-Key", RunningProducerService.KEY_CUSTOMER_WRITER);
        assertThat(writer.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(writer.body()).path("errors").get(0).path("expected").asText()).contains("customer:admin");
        assertThat(service.postJson("/v1/admin/replay/no-such-type", ids).statusCode()).isEqualTo(404);

        for (String[] bad : new String[][] {
                {"{}", "ids"}, {"{\"ids\": [\"c-1\"], \"all\": true}", "ids"}, {"{\"ids\": []}", "ids"}, {"{\"ids\": \"c-1\"}", "ids"},
                {"{\"ids\": [\"a\\u0000b\"]}", "ids/0"}, {"{\"ids\": [\"ok\", 7]}", "ids/1"}, {"{\"all\": false}", "all"},
                {"{\"everything\": true}", "everything"}, {"not json", null}}) {
            HttpResponse<String> answer = service.postJson("/v1/admin/replay/customer", bad[0]);
            assertThat(answer.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(answer.headers().firstValue("content-type")).as(bad[0]).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            if (bad[1] != null) {
                JsonNode errors = JSON.readTree(answer.body()).path("errors");
                assertThat(errors.findValuesAsText("field")).as(bad[0]).containsExactly(bad[1]);
            }
        }
    }

    private static String scope(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(ReplayRequest.HEADER);
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
