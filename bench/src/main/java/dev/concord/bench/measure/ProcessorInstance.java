package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.types.EntityType;
import dev.concord.processor.runtime.StreamsSettings;
import dev.concord.processor.topology.StateStoreKind;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.processor.topology.EventPartitions;
import dev.concord.processor.topology.SyncTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** sync-processor's topology (or a baseline: the pass-through, the read-modify-write floor), run in this JVM with the service's Streams settings and counting metrics. */
final class ProcessorInstance implements AutoCloseable {

    private final KafkaStreams streams;
    private final CountingMetrics metrics = new CountingMetrics();

    ProcessorInstance(BenchEnvironment env, ConcordContract contract, String guarantee) {
        this(env, contract, guarantee, Map.of());
    }

    /** @param streamsSettings further Kafka Streams settings, e.g. {@code num.stream.threads} */
    ProcessorInstance(BenchEnvironment env, ConcordContract contract, String guarantee, Map<String, Object> streamsSettings) {
        this(env, contract, guarantee, streamsSettings, SyncSettings.defaults().stateStore());
    }

    /** @param stateStore where the processor keeps its states (the service's default, or the other kind to compare) */
    ProcessorInstance(BenchEnvironment env, ConcordContract contract, String guarantee, Map<String, Object> streamsSettings,
                      StateStoreKind stateStore) {
        this(env, guarantee, streamsSettings, metrics -> SyncTopology.build(contract,
                SyncSettings.defaults().withMaxClockSkew(Duration.ofDays(1)).withStateStore(stateStore), metrics,
                partitionsOf(contract)));
    }

    /**
     * A Kafka Streams pass-through of one type's events with Concord's serdes: the events are decoded
     * and encoded again and copied to {@code output}, counted as they pass. What Kafka Streams and the
     * serdes cost without the store and the merge.
     */
    static ProcessorInstance passThrough(BenchEnvironment env, ConcordContract contract, EntityType type, String output,
                                         String guarantee, Map<String, Object> streamsSettings) {
        return new ProcessorInstance(env, guarantee, streamsSettings, metrics -> {
            var events = contract.topics().events(type);
            Topology topology = new Topology();
            topology.addSource("events", events.keySerde().deserializer(), events.valueSerde().deserializer(), events.name());
            topology.addProcessor("count", () -> new Processor<String, EntityEvent, String, EntityEvent>() {
                private ProcessorContext<String, EntityEvent> context;

                @Override
                public void init(ProcessorContext<String, EntityEvent> context) {
                    this.context = context;
                }

                @Override
                public void process(Record<String, EntityEvent> record) {
                    context.forward(record);
                    metrics.applied(type.name());
                }
            }, "events");
            topology.addSink("copy", output, events.keySerde().serializer(), events.valueSerde().serializer(), "count");
            return topology;
        });
    }

    /**
     * The least a processor of Concord's design can do on Kafka Streams: for each event, as bytes (nothing decoded), one
     * read of its entity's state from a store of {@code stateStore}'s kind, one write of a new state of the benchmark's
     * state size, and that state copied to {@code output}, the store's only broker write (as the state topic is the
     * processor store's log). No Avro, no merge, no checks: what it reaches is a ceiling for the processor on the same
     * broker, and the processor against it is the cost of Concord's own decoding, merge and encoding.
     */
    static ProcessorInstance readModifyWrite(BenchEnvironment env, String input, String output, String guarantee,
                                             Map<String, Object> streamsSettings, StateStoreKind stateStore) {
        return new ProcessorInstance(env, guarantee, streamsSettings, metrics -> {
            Topology topology = new Topology();
            topology.addSource("events", new StringDeserializer(), new ByteArrayDeserializer(), input);
            topology.addProcessor("read-modify-write", () -> new Processor<String, byte[], String, byte[]>() {
                private ProcessorContext<String, byte[]> context;
                private KeyValueStore<String, byte[]> states;

                @Override
                public void init(ProcessorContext<String, byte[]> context) {
                    this.context = context;
                    this.states = context.getStateStore("states");
                }

                @Override
                public void process(Record<String, byte[]> event) {
                    byte[] previous = states.get(event.key());
                    // A new state of the usual size: the event's bytes, then as much of the previous state as fits.
                    byte[] next = new byte[StoreCost.STATE_BYTES];
                    int copied = Math.min(event.value().length, next.length);
                    System.arraycopy(event.value(), 0, next, 0, copied);
                    if (previous != null) {
                        System.arraycopy(previous, 0, next, copied, Math.min(previous.length, next.length - copied));
                    }
                    states.put(event.key(), next);
                    context.forward(event.withValue(next));
                    metrics.applied("floor");
                }
            }, "events");
            topology.addStateStore(Stores.keyValueStoreBuilder(stateStore.supplier("states"), Serdes.String(), Serdes.ByteArray())
                    .withCachingDisabled().withLoggingDisabled(), "read-modify-write");
            topology.addSink("states-out", output, new StringSerializer(), new ByteArraySerializer(), "read-modify-write");
            return topology;
        });
    }

    private ProcessorInstance(BenchEnvironment env, String guarantee, Map<String, Object> streamsSettings,
                              Function<CountingMetrics, Topology> topology) {
        Map<String, Object> overrides = new java.util.HashMap<>(Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, "bench-" + UUID.randomUUID(),
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee,
                StreamsConfig.STATE_DIR_CONFIG, tempDir(env),
                StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams"));
        // An experiment (-Dconcord.streams.*) changes the processor's defaults; what a measurement sets itself (the
        // pass-through's or the scaling run's thread count) stays as it says.
        overrides.putAll(experiments());
        overrides.putAll(streamsSettings);
        streams = new KafkaStreams(topology.apply(metrics), StreamsSettings.of(env.kafkaConfig(), overrides, metrics));
        streams.start();
    }

    /** The commit interval a processor of this harness runs with. */
    static long commitIntervalMs() {
        return Long.parseLong(String.valueOf(defaultSetting(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)));
    }

    /** The stream threads a processor of this harness runs with, unless a measurement sets them. */
    static int defaultStreamThreads() {
        return Integer.parseInt(String.valueOf(defaultSetting(StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
    }

    /** The batch size of the processor's producer: the pipes baselines copy with the same. */
    static int producerBatchBytes() {
        return Integer.parseInt(String.valueOf(defaultSetting(StreamsConfig.producerPrefix(
                org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG))));
    }

    private static Object defaultSetting(String name) {
        return Defaults.SETTINGS.get(name);
    }

    /** The processor's settings with this run's experiments, built once (the experiments are fixed at JVM start). */
    private static final class Defaults {
        static final java.util.Properties SETTINGS =
                StreamsSettings.of(Map.of(), experiments(), dev.concord.processor.metrics.SyncMetrics.NONE);
    }

    /** -Dconcord.streams.&lt;property&gt;=&lt;value&gt; overrides a Kafka Streams setting of the processor. */
    private static Map<String, Object> experiments() {
        Map<String, Object> overrides = new java.util.HashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("concord.streams."))
                .forEach(name -> overrides.put(name.substring("concord.streams.".length()), System.getProperty(name)));
        return overrides;
    }

    /**
     * Kafka Streams' own view of the stream threads: where their time went (for the measurement's note). Over several
     * threads: averages averaged, maxima the largest, rates and totals summed.
     */
    String threadMetrics() {
        java.util.Map<String, java.util.List<Double>> perThread = new java.util.TreeMap<>();
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("stream-thread-metrics") && java.util.Set.of("commit-latency-avg", "commit-latency-max",
                    "commit-rate", "poll-latency-avg", "process-latency-avg", "punctuate-latency-avg", "blocked-time-ns-total")
                    .contains(name.name()) && metric.metricValue() instanceof Double value) {
                perThread.computeIfAbsent(name.name(), n -> new java.util.ArrayList<>()).add(value);
            }
        });
        java.util.Map<String, Double> picked = new java.util.TreeMap<>();
        perThread.forEach((name, values) -> picked.put(name, name.endsWith("-avg")
                ? values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)
                : name.endsWith("-max") ? values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)
                : values.stream().mapToDouble(Double::doubleValue).sum()));
        return picked.entrySet().stream().map(e -> e.getKey() + " " + String.format(java.util.Locale.ROOT, "%.1f", e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    CountingMetrics metrics() {
        return metrics;
    }

    /** Until the stream thread has its tasks and runs: what a latency measurement must not include. */
    void awaitRunning(Duration timeout) {
        Waiting.until("processor to run", timeout, () -> streams.state() == KafkaStreams.State.RUNNING
                && !streams.metadataForLocalThreads().stream().allMatch(thread -> thread.activeTasks().isEmpty()));
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

    private static EventPartitions partitionsOf(ConcordContract contract) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(contract.kafkaClientConfig())) {
            return EventPartitions.fromBroker(admin, contract.types());
        }
    }
}
