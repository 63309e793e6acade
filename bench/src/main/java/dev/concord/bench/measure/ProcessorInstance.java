package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.contract.ConcordContract;
import dev.concord.processor.runtime.StreamsSettings;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.processor.topology.SyncTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** sync-processor's topology, run in this JVM exactly as the service builds it, with counting metrics. */
final class ProcessorInstance implements AutoCloseable {

    private final KafkaStreams streams;
    private final CountingMetrics metrics = new CountingMetrics();

    ProcessorInstance(BenchEnvironment env, ConcordContract contract, String guarantee) {
        Map<String, Object> overrides = new java.util.HashMap<>(Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, "bench-" + UUID.randomUUID(),
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee,
                StreamsConfig.STATE_DIR_CONFIG, tempDir(env),
                StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams"));
        // Experiments: -Dconcord.streams.<property>=<value> overrides a Kafka Streams setting of the processor.
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("concord.streams."))
                .forEach(name -> overrides.put(name.substring("concord.streams.".length()), System.getProperty(name)));
        streams = new KafkaStreams(SyncTopology.build(contract, SyncSettings.defaults().withMaxClockSkew(Duration.ofDays(1)), metrics),
                StreamsSettings.of(env.kafkaConfig(), overrides, metrics));
        streams.start();
    }

    /** Kafka Streams' own view of the stream thread: where its time went (for the measurement's note). */
    String threadMetrics() {
        java.util.Map<String, Double> picked = new java.util.TreeMap<>();
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("stream-thread-metrics") && java.util.Set.of("commit-latency-avg", "commit-latency-max",
                    "commit-rate", "poll-latency-avg", "process-latency-avg", "punctuate-latency-avg", "blocked-time-ns-total")
                    .contains(name.name()) && metric.metricValue() instanceof Double value) {
                picked.merge(name.name(), value, Double::sum);
            }
        });
        return picked.entrySet().stream().map(e -> e.getKey() + " " + String.format(java.util.Locale.ROOT, "%.1f", e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    CountingMetrics metrics() {
        return metrics;
    }

    void awaitProcessed(long events, Duration timeout) {
        Waiting.until("processor to finish " + events + " events", timeout, () -> metrics.processed() >= events);
    }

    private static String tempDir(BenchEnvironment env) {
        try {
            return Files.createTempDirectory(env.workDir(), "streams-").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
