package dev.concord.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.events.ParkingCommand;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's parking door: a release or skip lands on the type's events topic as a command keyed like the entity's
 * events, only for a client with the type's admin grant and only for a type that parks; a malformed request is a 400
 * naming the field. What the processor then does is ParkingTopologyTest's part.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ParkingDoorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final RunningProducerService service = RunningProducerService.perTestClass();

    @Test
    void shouldWriteTheCommandKeyedByTheEntityWithoutAValue() throws Exception {
        String id = KafkaTestClients.uniqueId("parked");

        HttpResponse<String> answer = service.postJson("/v1/admin/parking/order", "{\"id\": \"" + id + "\", \"action\": \"skip\"}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        assertThat(JSON.readTree(answer.body()).path("action").asText()).isEqualTo("skip");
        List<ConsumerRecord<byte[], byte[]>> commands = KafkaTestClients.readAll(KafkaBrokerExtension.bootstrapServers(), "concord.events.order")
                .stream().filter(record -> record.key() != null && new String(record.key(), StandardCharsets.UTF_8).equals(id)).toList();
        assertThat(commands).singleElement().satisfies(record -> {
            assertThat(record.value()).isNull();
            assertThat(new String(record.headers().lastHeader(ParkingCommand.HEADER).value(), StandardCharsets.UTF_8)).isEqualTo("skip");
        });
    }

    @Test
    void shouldRefuseClientsWithoutTheAdminGrantTypesThatDoNotParkAndMalformedRequests() throws Exception {
        String release = "{\"id\": \"o-1\", \"action\": \"release\"}";
        assertThat(service.postJson("/v1/admin/parking/order", release, RunningProducerService.ANONYMOUS).statusCode()).isEqualTo(401);
        HttpResponse<String> writer = service.postJson("/v1/admin/parking/customer", release, "X-Api-Key", RunningProducerService.KEY_CUSTOMER_WRITER);
        assertThat(writer.statusCode()).isEqualTo(403);
        assertThat(service.postJson("/v1/admin/parking/no-such-type", release).statusCode()).isEqualTo(404);
        HttpResponse<String> skipping = service.postJson("/v1/admin/parking/customer", release);
        assertThat(skipping.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(skipping.body()).path("errors").findValuesAsText("field")).containsExactly("type");

        for (String[] bad : new String[][] {
                {"{}", "id"}, {"{\"action\": \"skip\"}", "id"}, {"{\"id\": 7, \"action\": \"skip\"}", "id"},
                {"{\"id\": \"a\\u0000b\", \"action\": \"skip\"}", "id"}, {"{\"id\": \"o-1\"}", "action"},
                {"{\"id\": \"o-1\", \"action\": \"drop\"}", "action"}, {"{\"id\": \"o-1\", \"action\": \"skip\", \"why\": 1}", "why"},
                {"not json", null}}) {
            HttpResponse<String> answer = service.postJson("/v1/admin/parking/order", bad[0]);
            assertThat(answer.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(answer.headers().firstValue("content-type")).as(bad[0]).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            if (bad[1] != null) {
                JsonNode errors = JSON.readTree(answer.body()).path("errors");
                assertThat(errors.findValuesAsText("field")).as(bad[0]).containsExactly(bad[1]);
            }
        }
    }
}
