package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.bench.load.KafkaLoad;
import dev.concord.bench.load.Ledger;
import dev.concord.bench.load.LoadGenerator;
import dev.concord.bench.load.LoadSpec;
import dev.concord.bench.report.Measurement;
import dev.concord.bench.report.Results;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * End-to-end latency at fixed rates: from each event's intended send time (so stalls are not
 * hidden) to its row being applied in a replica (its {@code applied_at}: the start of the replica's
 * transaction), through the processor under exactly_once_v2. Baseline: the same events seen by a
 * plain Kafka consumer of the events topic, from the same intended send times.
 */
public final class EndToEndLatency {

    private final BenchEnvironment env;

    public EndToEndLatency(BenchEnvironment env) {
        this.env = env;
    }

    /**
     * @param warmUp how long the first rate runs unrecorded first: a just-started JVM (JIT) and a processor's
     *               first transactions make the first seconds' tail, which is start-up, not steady state
     *               (reported separately in docs/performance.md)
     */
    public void run(Results results, List<Integer> rates, Duration each, Duration warmUp) throws Exception {
        EntityType type = env.newType("latency", MergePolicy.LAST_WRITER_WINS, 6);
        try (ConcordContract contract = env.contract(type);
             ProcessorInstance processor = new ProcessorInstance(env, contract, "exactly_once_v2");
             ReplicaProcess replica = new ReplicaProcess(env, type, "latency_" + type.name().replace('-', '_'))) {
            replica.awaitHealthy();
            // Measure the running pipeline, not the processor joining its group (seconds with a fresh group).
            processor.awaitRunning(Duration.ofMinutes(2));
            LoadGenerator generator = new LoadGenerator(contract.payloads());
            int offset = 0;
            List<Run> runs = new java.util.ArrayList<>();
            if (!warmUp.isZero()) {
                runs.add(new Run(rates.get(0), warmUp, false));
            }
            rates.forEach(rate -> runs.add(new Run(rate, each, true)));
            for (Run run : runs) {
                int rate = run.rate();
                int count = (int) (rate * run.duration().toSeconds());
                String idSuffix = "-" + rate + (run.recorded() ? "" : "-warm-up");
                List<EntityEvent> events = generator.generate(type, new LoadSpec(count, count, 1, 0, 0, 0, 200, rate), System.currentTimeMillis())
                        .stream().map(e -> EntityEvent.newBuilder(e).setEntityId(e.getEntityId() + idSuffix).build()).toList();
                Map<String, Long> seenByPlainConsumer = new ConcurrentHashMap<>();
                AtomicBoolean stop = new AtomicBoolean();
                Map<String, Long> committedStates = new ConcurrentHashMap<>();
                java.util.concurrent.CountDownLatch positioned = new java.util.concurrent.CountDownLatch(2);
                Thread plainConsumer = new Thread(() ->
                        consumeEvents(contract.topics().events(type).name(), false, seenByPlainConsumer, stop, positioned));
                // The processor's hop: when each state becomes visible to read_committed readers (its commit).
                Thread stateConsumer = new Thread(() ->
                        consumeEvents(contract.topics().state(type).name(), true, committedStates, stop, positioned));
                plainConsumer.start();
                stateConsumer.start();
                positioned.await();
                Ledger ledger = new KafkaLoad(env.kafkaConfig()).send(contract.topics().events(type), events, rate);
                processor.awaitProcessed(offset + count, Duration.ofMinutes(5));
                long endOffset = Topics.totalNextRecordOffset(env.kafkaConfig(), contract.topics().state(type).name());
                replica.awaitConsumed(endOffset, Duration.ofMinutes(5));
                stop.set(true);
                plainConsumer.join();
                stateConsumer.join();
                offset += count;
                if (!run.recorded()) {
                    continue;
                }

                Map<String, Long> applied = replica.appliedAtMillis();
                Histogram concord = new Histogram(3_600_000L, 3);
                Histogram baseline = new Histogram(3_600_000L, 3);
                Histogram processorHop = new Histogram(3_600_000L, 3);
                Histogram replicaHop = new Histogram(3_600_000L, 3);
                for (Ledger.Accepted accepted : ledger.inLogOrder()) {
                    String id = accepted.event().getEntityId();
                    concord.recordValue(Math.max(0, applied.get(id) - accepted.intendedAtMillis()));
                    Long seen = seenByPlainConsumer.get(id);
                    if (seen != null) {
                        baseline.recordValue(Math.max(0, seen - accepted.intendedAtMillis()));
                    }
                    Long committed = committedStates.get(id);
                    if (seen != null && committed != null) {
                        processorHop.recordValue(Math.max(0, committed - seen));
                        replicaHop.recordValue(Math.max(0, applied.get(id) - committed));
                    }
                }
                String shape = rate + " events/s for " + each.toSeconds() + " s, exactly_once_v2, 6 partitions"
                        + (warmUp.isZero() ? "" : ", after " + warmUp.toSeconds() + " s unrecorded at the first rate");
                for (double percentile : new double[] {50, 99, 99.9}) {
                    results.add(new Measurement("end to end p" + percentile + " at " + rate + "/s", "ms",
                            concord.getValueAtPercentile(percentile), "plain consumer of the events topic",
                            baseline.getValueAtPercentile(percentile), false, shape));
                }
                // The budget by hop: publish → events readable (the baseline above), → state committed, → row applied.
                for (double percentile : new double[] {50, 99}) {
                    results.add(new Measurement("hop: event readable → state committed, p" + percentile + " at " + rate + "/s", "ms",
                            processorHop.getValueAtPercentile(percentile), "plain consumer of the events topic",
                            baseline.getValueAtPercentile(percentile), false, "the processor: poll, fold, commit (read_committed reader)"));
                    results.add(new Measurement("hop: state committed → replica row, p" + percentile + " at " + rate + "/s", "ms",
                            replicaHop.getValueAtPercentile(percentile), "plain consumer of the events topic",
                            baseline.getValueAtPercentile(percentile), false, "the replica: poll, transaction, applied_at = its start"));
                }
            }
        }
    }

    /** One fixed-rate run; a warm-up is not recorded. */
    private record Run(int rate, Duration duration, boolean recorded) {
    }

    /** Reads a topic from its current end, without a group, so it sees every record sent after it is positioned. */
    private void consumeEvents(String topic, boolean readCommitted, Map<String, Long> seen, AtomicBoolean stop,
                               java.util.concurrent.CountDownLatch positioned) {
        Map<String, Object> config = new HashMap<>(env.kafkaConfig());
        config.put("isolation.level", readCommitted ? "read_committed" : "read_uncommitted");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            positioned.countDown();
            while (!stop.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    seen.putIfAbsent(record.key(), System.currentTimeMillis());
                }
            }
        }
    }
}
