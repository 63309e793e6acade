package dev.concord.processor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.processor.metrics.SyncMetrics;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The throughput defaults sync-processor gives Kafka Streams (docs/performance.md, seventh pass) reach the clients they
 * are meant for, and an operator's setting replaces each.
 */
class StreamsDefaultsTest {

    private static final Map<String, Object> KAFKA = Map.of("bootstrap.servers", "localhost:9092");

    @Test
    void shouldRunOneStreamThreadPerAvailableCore() {
        StreamsConfig config = config(Map.of());

        assertThat(config.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void shouldKeepTheDefaultWhereTheSettingIsEmpty() {
        // application.yml passes CONCORD_STREAM_THREADS through, empty when it is unset.
        assertThat(config(Map.of("num.stream.threads", "")).getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG))
                .isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void shouldTreatAnEmptySettingWithoutConcordDefaultAsUnset() {
        // An environment variable mapped into concord.streams.* and left empty: Kafka's default holds, not "".
        assertThat(config(Map.of("num.standby.replicas", "")).getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isZero();
    }

    @Test
    void shouldTakeTheOperatorsThreadCount() {
        // CONCORD_STREAM_THREADS=3 reaches the settings as concord.streams.num.stream.threads.
        assertThat(config(Map.of("num.stream.threads", "3")).getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(3);
    }

    @Test
    void shouldGiveTheProducerLargerBatchesThanItsDefault() {
        Map<String, Object> producer = config(Map.of()).getProducerConfigs("sync-processor-producer");

        assertThat(producer).containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        assertThat(config(Map.of("producer.batch.size", "65536")).getProducerConfigs("p"))
                .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
    }

    private static StreamsConfig config(Map<String, Object> overrides) {
        return new StreamsConfig(StreamsSettings.of(KAFKA, overrides, SyncMetrics.NONE));
    }
}
