package dev.concord.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an operator sees of the write side on a live scrape of {@code /prometheus}: events published by
 * source and type, refusals by problem type (single writes and batch items alike), publish latency.
 */
@ExtendWith(KafkaBrokerExtension.class)
class WriteMetricsTest {

    @RegisterExtension
    static final RunningProducerService service = RunningProducerService.perTestClass();

    @Test
    void shouldCountPublishedAndRefusedWritesOnTheScrape() {
        // Given one accepted and one refused single write, and a batch with one of each
        String id = KafkaTestClients.uniqueId("m");
        assertThat(service.putJson("/v1/entities/customer/" + id, "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}")
                .statusCode()).isEqualTo(202);
        assertThat(service.putJson("/v1/entities/customer/" + id, "{\"name\": 42}").statusCode()).isEqualTo(422);
        assertThat(service.postJson("/v1/events", """
                [{"type": "customer", "id": "%s", "op": "UPSERT", "data": {"name": "Grace", "email": "grace@example.com"}},
                 {"type": "customer", "id": "%s", "op": "UPSERT", "data": {"name": 42}}]""".formatted(id, id)).statusCode())
                .isEqualTo(207);

        // When the metrics are scraped
        HttpResponse<String> scrape = service.get("/prometheus");

        // Then each outcome is counted once per write, by source and reason
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(value(scrape.body(), "concord_producer_events_total", "outcome=\"published\",source=\"http\",type=\"customer\""))
                .isEqualTo(2.0);
        assertThat(value(scrape.body(), "concord_producer_refused_total", "reason=\"invalid-payload\",source=\"http\""))
                .isEqualTo(2.0);
        assertThat(value(scrape.body(), "concord_producer_publish_latency_seconds_count", "source=\"http\"")).isEqualTo(2.0);
        assertThat(scrape.body()).contains("concord_producer_outbox_backlog_rows").contains("concord_producer_cdc_lag_seconds");
    }

    private static double value(String scrape, String metric, String labels) {
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(metric + "{" + labels) + ",?\\}\\s+(\\S+)$").matcher(scrape);
        assertThat(line.find()).as("%s{%s} on the scrape:%n%s", metric, labels, scrape).isTrue();
        return Double.parseDouble(line.group(1));
    }
}
