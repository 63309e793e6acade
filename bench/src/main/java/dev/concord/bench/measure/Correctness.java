package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.bench.load.KafkaLoad;
import dev.concord.bench.load.Ledger;
import dev.concord.bench.load.LoadGenerator;
import dev.concord.bench.load.LoadSpec;
import dev.concord.bench.oracle.Oracle;
import dev.concord.bench.oracle.OracleReport;
import dev.concord.bench.oracle.ReferenceMerge;
import dev.concord.bench.report.Results;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import java.time.Duration;
import java.util.Map;

/**
 * The oracle on a conflict-heavy load through the whole pipeline: events from several writers with
 * racing clocks, patches and deletes → processor (exactly_once_v2) → state topic → two replicas.
 * Every copy must equal the truth the independent reference rules (ReferenceMerge) compute from the accepted events.
 */
public final class Correctness {

    private final BenchEnvironment env;

    public Correctness(BenchEnvironment env) {
        this.env = env;
    }

    public void run(Results results, LoadSpec spec) throws Exception {
        EntityType type = env.newType("oracle", MergePolicy.FIELD_MERGE, 6);
        try (ConcordContract contract = env.contract(type);
             ProcessorInstance processor = new ProcessorInstance(env, contract, "exactly_once_v2");
             ReplicaProcess first = new ReplicaProcess(env, type, "oracle_a_" + type.name().replace('-', '_'));
             ReplicaProcess second = new ReplicaProcess(env, type, "oracle_b_" + type.name().replace('-', '_'))) {
            Ledger ledger = new KafkaLoad(env.kafkaConfig()).send(contract.topics().events(type),
                    new LoadGenerator(contract.payloads()).generate(type, spec, System.currentTimeMillis()), 0);
            processor.awaitProcessed(ledger.size(), Duration.ofMinutes(10));
            String stateTopic = contract.topics().state(type).name();
            long end = Topics.totalNextRecordOffset(env.kafkaConfig(), stateTopic);
            first.awaitConsumed(end, Duration.ofMinutes(10));
            second.awaitConsumed(end, Duration.ofMinutes(10));

            Oracle oracle = new Oracle(type, contract.payloads());
            Map<String, ReferenceMerge.Expected> truth = oracle.truth(ledger);
            report(results, oracle.checkStateTopic(truth, Topics.stateRecords(env.kafkaConfig(), contract, stateTopic)), spec);
            report(results, oracle.checkReplica("a", truth, first.table()), spec);
            report(results, oracle.checkReplica("b", truth, second.table()), spec);
        }
    }

    private static void report(Results results, OracleReport report, LoadSpec spec) {
        results.addCorrectness(report.summary() + " (" + spec.events() + " events, " + spec.writers() + " writers, conflict rate "
                + spec.conflictRate() + ", " + (int) (spec.patchShare() * 100) + "% patches, " + (int) (spec.deleteShare() * 100)
                + "% deletes)", report.ok());
    }
}
