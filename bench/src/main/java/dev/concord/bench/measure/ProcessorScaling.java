package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.bench.load.KafkaLoad;
import dev.concord.bench.load.LoadGenerator;
import dev.concord.bench.load.LoadSpec;
import dev.concord.bench.report.Measurement;
import dev.concord.bench.report.Results;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How the processor scales with parallelism on this machine: the same load (field-merge, 3 writers)
 * through a type of N partitions by one instance with N stream threads, for N = 1, 2, 4, under
 * exactly_once_v2, each reported against N = 1 in the same run. On a machine whose cores the broker
 * shares, the curve says what an added core (a thread) or an added instance (the same, elsewhere) buys.
 */
public final class ProcessorScaling {

    private final BenchEnvironment env;

    public ProcessorScaling(BenchEnvironment env) {
        this.env = env;
    }

    public void run(Results results, int events, List<Integer> parallelism) throws Exception {
        double single = 0;
        for (int n : parallelism) {
            double rate = measure(n, events);
            if (single == 0) {
                single = rate;
            }
            results.add(new Measurement("processor scaling, " + n + " partition(s) × " + n + " stream thread(s)", "events/s", rate,
                    "1 partition × 1 stream thread", single, true,
                    events + " events of ~200 B, field-merge, 3 writers, exactly_once_v2, one instance, "
                            + Runtime.getRuntime().availableProcessors() + " cores shared with the broker"));
        }
    }

    private double measure(int partitions, int events) throws Exception {
        EntityType type = env.newType("scaling-" + partitions, MergePolicy.FIELD_MERGE, partitions);
        try (ConcordContract contract = env.contract(type)) {
            LoadSpec spec = new LoadSpec(events, Math.max(1, events / 5), 3, 0.1, 0.3, 0.02, 200, 11);
            new KafkaLoad(env.kafkaConfig()).send(contract.topics().events(type),
                    new LoadGenerator(contract.payloads()).generate(type, spec, System.currentTimeMillis()), 0);
            try (ProcessorInstance processor = new ProcessorInstance(env, contract, "exactly_once_v2",
                    Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, partitions))) {
                processor.awaitProcessed(events, Duration.ofMinutes(10));
                return processor.metrics().ratePerSecond();
            }
        }
    }
}
