package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.bench.load.KafkaLoad;
import dev.concord.bench.load.LoadGenerator;
import dev.concord.bench.load.LoadSpec;
import dev.concord.bench.report.Measurement;
import dev.concord.bench.report.Results;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import dev.concord.processor.topology.StateStoreKind;
import dev.concord.processor.topology.SyncSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Processor throughput under exactly_once_v2 and at_least_once, beside baselines that copy the same
 * preloaded events topic to a topic of the same shape on the same broker: a plain consume→produce
 * pipe, a transactional one, a Kafka Streams pass-through with Concord's serdes, and a Kafka Streams read-modify-write
 * floor (a store read and write per event, on bytes).
 */
public final class ProcessorThroughput {

    private final BenchEnvironment env;
    private final Map<String, String> threadMetrics = new HashMap<>();
    // The processor's commit interval (its default or a -Dconcord.streams.commit.interval.ms experiment), which
    // the transactional pipe uses too: exactly-once at the same transaction rate.
    private final long commitIntervalMs = ProcessorInstance.commitIntervalMs();
    private final int producerBatchBytes = ProcessorInstance.producerBatchBytes();

    public ProcessorThroughput(BenchEnvironment env) {
        this.env = env;
    }

    /**
     * Measures, on the same preloaded topic: the plain pipe, a transactional pipe, a Kafka Streams
     * pass-through with Concord's serdes under both guarantees, and the processor under both. Each
     * step up the ladder is reported against the one below it, so the cost of transactions, of Kafka
     * Streams and of Concord's own store and logic are separate lines.
     *
     * @return P1 (processor under exactly_once_v2 / plain pipe) and P2 (the cost of exactly-once)
     */
    public KeyFigures run(Results results, int events) throws Exception {
        EntityType type = env.newType("throughput", MergePolicy.FIELD_MERGE, 6);
        try (ConcordContract contract = env.contract(type)) {
            LoadSpec spec = new LoadSpec(events, entitiesFor(events), 3, 0.1, 0.3, 0.02, 200, 11);
            new KafkaLoad(env.kafkaConfig()).send(contract.topics().events(type),
                    new LoadGenerator(contract.payloads()).generate(type, spec, System.currentTimeMillis()), 0);
            String input = contract.topics().events(type).name();

            // Each pipe at its best: with one thread (twice for the plain one: the first copy also warms the broker and the
            // JIT up) and with as many as the processor runs. A baseline below its best would flatter the ratios.
            CopyPipe pipes = new CopyPipe(env.kafkaConfig(), input, type.partitions(), commitIntervalMs, producerBatchBytes);
            int threads = ProcessorInstance.defaultStreamThreads();
            double pipe = Math.max(Math.max(pipes.copy(events, false, input + "-pipe-warmup", 1),
                    pipes.copy(events, false, input + "-pipe", 1)),
                    threads == 1 ? 0 : pipes.copy(events, false, input + "-pipe-" + threads, threads));
            double txPipe = Math.max(pipes.copy(events, true, input + "-txpipe", 1),
                    threads == 1 ? 0 : pipes.copy(events, true, input + "-txpipe-" + threads, threads));
            warmUp(contract, type, events);
            double passEos = passThrough(contract, type, "exactly_once_v2", events);
            double passAlos = passThrough(contract, type, "at_least_once", events);
            double floor = readModifyWrite(input, type, events, StateStoreKind.ROCKSDB);
            double floorHeap = readModifyWrite(input, type, events, StateStoreKind.IN_MEMORY);
            double eos = processor(results, contract, type, "exactly_once_v2", events, StateStoreKind.ROCKSDB);
            double alos = processor(results, contract, type, "at_least_once", events, StateStoreKind.ROCKSDB);
            double eosHeap = processor(results, contract, type, "exactly_once_v2", events, StateStoreKind.IN_MEMORY);
            String passThreads = threads == 1 ? "1 stream thread" : "best of 1 and " + threads + " stream threads";
            String shape = events + " events of ~200 B, 6 partitions, " + spec.entities() + " entities, 3 writers, "
                    + threads + " stream thread(s)";
            String plain = "plain consume→produce pipe";
            String txPipeName = "transactional pipe (commit every " + commitIntervalMs + " ms)";
            results.add(new Measurement("processor, exactly_once_v2 (P1)", "events/s", eos, plain, pipe, true,
                    shape + "; stream thread: " + threadMetrics.get("exactly_once_v2")));
            results.add(new Measurement("processor, at_least_once", "events/s", alos, plain, pipe, true,
                    shape + "; stream thread: " + threadMetrics.get("at_least_once")));
            results.add(new Measurement("processor, exactly_once_v2 (1 - P2)", "events/s", eos, "processor, at_least_once", alos, true,
                    "the cost of exactly-once is 1 - ratio"));
            results.add(new Measurement(txPipeName, "events/s", txPipe, plain, pipe, true,
                    "the cost of transactions without Kafka Streams; each pipe at the " + passThreads));
            results.add(new Measurement("Streams pass-through, exactly_once_v2", "events/s", passEos,
                    txPipeName, txPipe, true, "the cost of Kafka Streams and the serdes under exactly-once; " + passThreads));
            results.add(new Measurement("Streams pass-through, at_least_once", "events/s", passAlos, plain, pipe, true,
                    "the cost of Kafka Streams and the serdes; " + passThreads));
            results.add(new Measurement("processor, exactly_once_v2", "events/s", eos, "Streams pass-through, exactly_once_v2",
                    passEos, true, "the cost of Concord's store and merge under exactly-once"));
            String floorName = "Streams read-modify-write floor, exactly_once_v2";
            results.add(new Measurement(floorName, "events/s", floor, plain, pipe, true,
                    "per event as bytes: one store read, one " + StoreCost.STATE_BYTES + " B store write, that state to a topic;"
                            + " RocksDB as the processor's; no Avro, no merge: the most a processor of this design reaches here; "
                            + passThreads));
            results.add(new Measurement(floorName + ", in-memory store", "events/s", floorHeap, plain, pipe, true,
                    "the same with the heap store: the ceiling with a store that costs next to nothing; " + passThreads));
            results.add(new Measurement("processor, exactly_once_v2", "events/s", eos, floorName, floor, true,
                    "the cost of Concord's own decoding, merge, checks and encoding, the store's work being in both"));
            results.add(new Measurement("processor, at_least_once", "events/s", alos, "Streams pass-through, at_least_once",
                    passAlos, true, "the cost of Concord's store and merge"));
            results.add(new Measurement("processor, exactly_once_v2, in-memory store", "events/s", eosHeap,
                    "processor, exactly_once_v2 (RocksDB, the default)", eos, true,
                    "CONCORD_STATE_STORE=in-memory; against the plain pipe: " + String.format("%.2f", eosHeap / pipe)));
            return new KeyFigures(eos / pipe, 1 - eos / alos);
        }
    }

    /** How many entities the benchmark's events are spread over: five events per entity on average. */
    public static int entitiesFor(int events) {
        return Math.max(1, events / 5);
    }

    /** P1: the processor under exactly_once_v2 as a fraction of the plain pipe; P2: what exactly-once costs it. */
    public record KeyFigures(double p1, double p2) {
    }

    /**
     * One unrecorded pass of the processor over the same topic, before any Kafka Streams contender is measured. The
     * plain pipe gets its warm-up from its best of two; without this, the first Streams run measured the JIT compiling
     * Kafka Streams' and Concord's code (the C2 compiler took most of a core for its first ~10 s, on two cores shared
     * with the broker), and whichever contender came later looked faster for it, not for its design.
     */
    private void warmUp(ConcordContract contract, EntityType type, int events) throws Exception {
        emptyStateTopic(type);
        try (ProcessorInstance processor = new ProcessorInstance(env, contract, "exactly_once_v2")) {
            processor.awaitProcessed(events, Duration.ofMinutes(10));
        }
    }

    /** Each contender starts from no state, as the first did: the state topic is the store's log, restored at start. */
    private void emptyStateTopic(EntityType type) throws Exception {
        Topics.recreateCompacted(env.kafkaConfig(), TopicNames.state(type.name()), type.partitions());
    }

    /**
     * The pass-through at its best: with one stream thread, and with the processor's default of one per core when that
     * is more. A pass-through is bound by the broker, not its thread, so a second thread can slow it on cores it shares
     * with the broker (docs/performance.md, "Two stream threads"); a baseline below its best would flatter the ratios.
     */
    private double passThrough(ConcordContract contract, EntityType type, String guarantee, int events) throws Exception {
        double oneThread = passThrough(contract, type, guarantee, events, 1);
        int defaultThreads = ProcessorInstance.defaultStreamThreads();
        return defaultThreads == 1 ? oneThread : Math.max(oneThread, passThrough(contract, type, guarantee, events, defaultThreads));
    }

    private double passThrough(ConcordContract contract, EntityType type, String guarantee, int events, int threads) throws Exception {
        String output = contract.topics().events(type).name() + "-pass-" + guarantee.replace('_', '-') + "-" + threads;
        Topics.create(env.kafkaConfig(), output, type.partitions());
        try (ProcessorInstance passThrough = ProcessorInstance.passThrough(env, contract, type, output, guarantee,
                Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads))) {
            passThrough.awaitProcessed(events, Duration.ofMinutes(10));
            return passThrough.metrics().ratePerSecond();
        }
    }

    /** The read-modify-write floor at its best, as the pass-through: one stream thread, or the default when that is more. */
    private double readModifyWrite(String input, EntityType type, int events, StateStoreKind stateStore) throws Exception {
        double oneThread = readModifyWrite(input, type, events, stateStore, 1);
        int defaultThreads = ProcessorInstance.defaultStreamThreads();
        return defaultThreads == 1 ? oneThread : Math.max(oneThread, readModifyWrite(input, type, events, stateStore, defaultThreads));
    }

    private double readModifyWrite(String input, EntityType type, int events, StateStoreKind stateStore, int threads)
            throws Exception {
        String output = input + "-floor-" + stateStore.name().toLowerCase() + "-" + threads;
        Topics.create(env.kafkaConfig(), output, type.partitions());
        try (ProcessorInstance floor = ProcessorInstance.readModifyWrite(env, input, output, "exactly_once_v2",
                Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads), stateStore)) {
            floor.awaitProcessed(events, Duration.ofMinutes(10));
            return floor.metrics().ratePerSecond();
        }
    }

    private double processor(Results results, ConcordContract contract, EntityType type, String guarantee, int events,
                             StateStoreKind stateStore) throws Exception {
        emptyStateTopic(type);
        String name = guarantee + (stateStore == SyncSettings.defaults().stateStore() ? "" : ", " + stateStore.name().toLowerCase());
        var profiler = env.profileDirectory().map(dir -> dev.concord.bench.report.Profiler.start(dir,
                "processor-" + name.replace(", ", "-")));
        try (ProcessorInstance processor = new ProcessorInstance(env, contract, guarantee, Map.of(), stateStore)) {
            processor.awaitProcessed(events, Duration.ofMinutes(10));
            threadMetrics.put(name, processor.threadMetrics());
            return processor.metrics().ratePerSecond();
        } finally {
            profiler.ifPresent(p -> {
                results.addProfile("processor, " + name + " (stream thread)", p.stopAndSummarize("StreamThread"));
                p.close();
            });
        }
    }
}
