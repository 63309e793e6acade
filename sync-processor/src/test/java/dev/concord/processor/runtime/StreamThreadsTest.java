package dev.concord.processor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.processor.metrics.SyncMetrics;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** sync-processor runs a stream thread per core it is given, and an operator's setting replaces that. */
class StreamThreadsTest {

    private static final Map<String, Object> KAFKA = Map.of("bootstrap.servers", "localhost:9092");

    @Test
    void shouldRunOneStreamThreadPerAvailableCore() {
        StreamsConfig config = new StreamsConfig(StreamsSettings.of(KAFKA, Map.of(), SyncMetrics.NONE));

        assertThat(config.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void shouldTakeTheOperatorsThreadCount() {
        // CONCORD_STREAMS_NUM_STREAM_THREADS=3 reaches the settings as concord.streams.num.stream.threads.
        StreamsConfig config = new StreamsConfig(StreamsSettings.of(KAFKA, Map.of("num.stream.threads", "3"), SyncMetrics.NONE));

        assertThat(config.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(3);
    }
}
