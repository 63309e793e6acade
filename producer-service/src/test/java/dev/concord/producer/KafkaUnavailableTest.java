package dev.concord.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.local.kafka.EmbeddedKafkaBroker;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When Kafka stops answering, a write gets a 503 with Retry-After within the producer's bounded
 * timeouts instead of hanging. Uses a broker of its own, since it has to stop it.
 */
class KafkaUnavailableTest {

    private static final String VALID_CUSTOMER = "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}";

    private EmbeddedKafkaBroker broker;
    private RunningProducerService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenKafkaDoesNotAcknowledge() throws Exception {
        // Given a service that has published before, and then loses its broker
        broker = EmbeddedKafkaBroker.start();
        service = RunningProducerService.start(broker.bootstrapServers());
        assertThat(service.putJson("/v1/entities/customer/c-1", VALID_CUSTOMER).statusCode()).isEqualTo(202);
        broker.close();

        // When
        long start = System.nanoTime();
        HttpResponse<String> response = service.putJson("/v1/entities/customer/c-2", VALID_CUSTOMER);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // Then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        JsonNode problem = new ObjectMapper().readTree(response.body());
        assertThat(problem.path("type").asText()).isEqualTo("https://concord.dev/problems/kafka-unavailable");
        assertThat(problem.path("detail").asText()).contains("retry");
        assertThat(took).isLessThan(Duration.ofSeconds(20));
    }
}
