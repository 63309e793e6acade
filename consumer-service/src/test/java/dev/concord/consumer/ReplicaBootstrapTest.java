package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fresh replica bootstraps a compacted state topic of 100,000 entities and reports ready only once
 * all of them are stored; its metrics then show what it did. Real broker, real PostgreSQL.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReplicaBootstrapTest {

    private static final int ENTITIES = 100_000;
    private static final Duration WITHIN = Duration.ofMinutes(3);

    private record Observation(int status, long rows, long remaining) {
    }

    @Test
    void shouldTurnReadyOnlyAfterApplyingEveryEntityOfTheStateTopics() throws Exception {
        TestTypes types = TestTypes.declare(6, "bulk");
        String type = types.name(0);
        try (StatePublisher publisher = StatePublisher.connect(KafkaBrokerExtension.bootstrapServers(), types)) {
            long producing = System.nanoTime();
            CustomerStates states = publisher.states(type);
            java.nio.ByteBuffer payload = states.payload("Bulk Customer");
            for (int i = 0; i < ENTITIES; i++) {
                String id = String.format("bulk-%06d", i);
                publisher.send(type, id, states.live(id, 1, payload));
            }
            publisher.flush();
            log("produced %,d states in %d ms", ENTITIES, millisSince(producing));
        }
        String jdbcUrl = PostgresExtension.createDatabase();
        ReplicaDatabase database = new ReplicaDatabase(jdbcUrl);

        long starting = System.nanoTime();
        List<Observation> observations = new ArrayList<>();
        try (RunningReplica replica = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), jdbcUrl,
                KafkaTestClients.uniqueId("bootstrap"), types, Map.of())) {
            await().atMost(WITHIN).pollInterval(Duration.ofMillis(200)).until(() -> {
                HttpResponse<String> readiness = replica.get("/health/readiness");
                // Counted after the answer: a ready replica must already hold everything.
                long rows = database.count(type);
                JsonNode bootstrap = FeedClients.json(readiness.body()).path("details").path("replicaBootstrap");
                observations.add(new Observation(readiness.statusCode(), rows, bootstrap.path("details").path("remainingRecords").asLong(-1)));
                return readiness.statusCode() == 200;
            });
            long readyAfter = millisSince(starting);
            log("replica ready %d ms after start: %,d rows, %.0f rows/s including start-up; observations %s",
                    readyAfter, database.count(type), ENTITIES * 1000.0 / readyAfter, observations.size());

            assertThat(observations.get(0).status()).as("not ready while bootstrapping").isEqualTo(503);
            // While not ready it says how much is left (once it knows: -1 before its first assignment).
            assertThat(observations).filteredOn(o -> o.status() == 503).allSatisfy(o -> assertThat(o.remaining()).isNotZero());
            Observation ready = observations.get(observations.size() - 1);
            assertThat(ready.rows()).isEqualTo(ENTITIES);
            assertThat(ready.remaining()).isZero();

            String metrics = replica.get("/prometheus").body();
            assertThat(metric(metrics, "concord_replica_rows_applied_total{type=\"" + type + "\"}")).isEqualTo(ENTITIES);
            assertThat(metric(metrics, "concord_replica_freshness_seconds_count{type=\"" + type + "\"}")).isEqualTo(ENTITIES);
            assertThat(metric(metrics, "concord_replica_apply_delay_seconds_count{type=\"" + type + "\"}")).isEqualTo(ENTITIES);
            assertThat(metric(metrics, "concord_replica_batch_size_records_max")).isLessThanOrEqualTo(2000);
            assertThat(metric(metrics, "concord_replica_batch_size_records_sum")).isEqualTo(ENTITIES);
            assertThat(metric(metrics, "concord_replica_watermark_seq")).isGreaterThanOrEqualTo(ENTITIES);
            assertThat(metric(metrics, "concord_replica_caught_up")).isEqualTo(1);
            assertThat(metric(metrics, "concord_replica_lag_total_records")).isZero();
            assertThat(metric(metrics, "concord_feed_streams")).isZero();
        }
    }

    /** The value of the sample whose name and labels start with {@code series} (labels in the order Micrometer writes them). */
    private static double metric(String exposition, String series) {
        String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
        String labels = series.contains("{") ? series.substring(series.indexOf('{') + 1, series.length() - 1) : "";
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{([^}]*)})? (\\S+)$").matcher(exposition);
        while (matcher.find()) {
            String found = matcher.group(2) == null ? "" : matcher.group(2);
            if (found.contains(labels)) {
                return Double.parseDouble(matcher.group(3));
            }
        }
        throw new AssertionError("no sample " + series + " in:\n" + exposition);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void log(String format, Object... args) {
        System.out.printf("[bootstrap] " + format + "%n", args);
    }
}
