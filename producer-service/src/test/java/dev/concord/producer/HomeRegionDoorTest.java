package dev.concord.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** In a region that is not an optimistic type's home, the door refuses its writes (docs/multi-region.md). */
@ExtendWith(KafkaBrokerExtension.class)
class HomeRegionDoorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningProducerService us;

    @BeforeAll
    static void startInRegionUs() throws Exception {
        Path declaration = Files.createTempFile("concord-types-", ".json");
        Files.writeString(declaration, """
                {"types": [
                  {"name": "customer", "schema": "classpath:avro/domain/customer.avsc", "policy": "field-merge", "partitions": 6},
                  {"name": "order", "schema": "classpath:avro/domain/order.avsc", "policy": "optimistic", "partitions": 6,
                   "poison": "park", "home": "eu"}
                ]}""");
        us = RunningProducerService.start(KafkaBrokerExtension.bootstrapServers(),
                Map.of("concord.region", "us", "concord.types", declaration.toString()));
    }

    @AfterAll
    static void stop() {
        us.close();
    }

    @Test
    void shouldRefuseWritesOfATypeHomedElsewhereWith421AndTakeTheOthers() throws Exception {
        String id = KafkaTestClients.uniqueId("o");
        HttpResponse<String> order = us.putJson("/v1/entities/order/" + id,
                "{\"customerId\": \"c-1\", \"status\": \"PAID\", \"currency\": \"EUR\", \"totalCents\": 1, \"lines\": []}");

        assertThat(order.statusCode()).as(order.body()).isEqualTo(421);
        JsonNode problem = JSON.readTree(order.body());
        assertThat(problem.path("detail").asText()).contains("'eu'").contains("'us'");
        assertThat(problem.path("errors").get(0).path("field").asText()).isEqualTo("type");
        assertThat(TopicEvents.of(KafkaBrokerExtension.bootstrapServers(), us.contract(), "order", id)).as("nothing published").isEmpty();

        HttpResponse<String> customer = us.putJson("/v1/entities/customer/" + KafkaTestClients.uniqueId("c"),
                "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}");
        assertThat(customer.statusCode()).as(customer.body()).isEqualTo(202);
    }
}
