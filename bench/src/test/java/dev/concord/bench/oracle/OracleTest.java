package dev.concord.bench.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.bench.load.Ledger;
import dev.concord.bench.load.LoadGenerator;
import dev.concord.bench.load.LoadSpec;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import dev.concord.processor.merge.MergeDecision;
import dev.concord.processor.merge.MergeRule;
import dev.concord.processor.merge.MergeRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The oracle must catch what it exists to catch: a corrupted replica row and a dropped state record. */
class OracleTest {

    private final EntityType type = new EntityType("customer", Customer.getClassSchema(), MergePolicy.FIELD_MERGE, 3);
    private final ConcordContract contract = ConcordContract.inMemory(EntityTypes.of(List.of(type))).registerWriterSchemas();
    private final Oracle oracle = new Oracle(type, contract.payloads());
    private final Ledger ledger = new Ledger();
    private final List<Oracle.StateRecord> stateTopic = new ArrayList<>();

    OracleTest() {
        List<EntityEvent> events = new LoadGenerator(contract.payloads())
                .generate(type, new LoadSpec(2_000, 200, 3, 0.3, 0.3, 0.05, 100, 5), 1_000_000);
        // What a correct processor publishes: every accepted change, per entity in log order.
        MergeRule rule = MergeRules.forType(type, contract.payloads());
        Map<String, EntityState> current = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            EntityEvent event = events.get(i);
            ledger.record(new Ledger.Accepted(event, Math.floorMod(event.getEntityId().hashCode(), 3), i, 0));
        }
        for (Ledger.Accepted accepted : ledger.inLogOrder()) {
            String id = accepted.event().getEntityId();
            if (rule.decide(current.get(id), accepted.event(), 0) instanceof MergeDecision.Accepted change) {
                current.put(id, change.state());
                stateTopic.add(new Oracle.StateRecord(id, change.state(), true));
            }
        }
    }

    @Test
    void shouldFindFaithfulCopiesIdentical() {
        Map<String, ReferenceMerge.Expected> truth = oracle.truth(ledger);

        assertThat(oracle.checkStateTopic(truth, stateTopic).ok()).isTrue();
        assertThat(oracle.checkReplica("faithful", truth, replicaOf(truth)).ok()).isTrue();
    }

    @Test
    void shouldCatchADroppedStateRecord() {
        Map<String, ReferenceMerge.Expected> truth = oracle.truth(ledger);
        Oracle.StateRecord dropped = stateTopic.get(stateTopic.size() - 1);
        List<Oracle.StateRecord> missingOne = new ArrayList<>(stateTopic);
        missingOne.remove(missingOne.size() - 1);

        OracleReport report = oracle.checkStateTopic(truth, missingOne);

        assertThat(report.ok()).isFalse();
        assertThat(report.stale().isEmpty() ? report.lost() : report.stale()).containsExactly(dropped.key());
    }

    @Test
    void shouldCatchADuplicatedVersion() {
        List<Oracle.StateRecord> twice = new ArrayList<>(stateTopic);
        twice.add(stateTopic.get(0));
        twice.add(stateTopic.stream().filter(r -> r.key().equals(stateTopic.get(0).key())).reduce((a, b) -> b).orElseThrow());

        assertThat(oracle.checkStateTopic(oracle.truth(ledger), twice).duplicated()).containsExactly(stateTopic.get(0).key());
    }

    @Test
    void shouldAcceptAnUnchangedStateRepeatingItsVersionButNotOneOutOfPlace() {
        Oracle.StateRecord last = stateTopic.get(stateTopic.size() - 1);
        List<Oracle.StateRecord> repeated = new ArrayList<>(stateTopic);
        repeated.add(new Oracle.StateRecord(last.key(), last.state(), false));
        List<Oracle.StateRecord> outOfPlace = new ArrayList<>(stateTopic);
        EntityState ahead = EntityState.newBuilder(last.state()).setVersion(last.state().getVersion() + 1).build();
        outOfPlace.add(new Oracle.StateRecord(last.key(), ahead, false));

        assertThat(oracle.checkStateTopic(oracle.truth(ledger), repeated).ok()).isTrue();
        assertThat(oracle.checkStateTopic(oracle.truth(ledger), outOfPlace).duplicated()).containsExactly(last.key());
    }

    @Test
    void shouldCatchACorruptedReplicaRow() {
        Map<String, ReferenceMerge.Expected> truth = oracle.truth(ledger);
        Map<String, ReplicaRow> replica = replicaOf(truth);
        ReplicaRow victim = replica.values().stream().filter(r -> !r.deleted()).findFirst().orElseThrow();
        ObjectNode corrupted = victim.data().deepCopy();
        corrupted.put("email", "corrupted@example.com");
        replica.put(victim.id(), new ReplicaRow(victim.id(), victim.version(), false, corrupted));

        OracleReport report = oracle.checkReplica("corrupted", truth, replica);

        assertThat(report.diverged()).containsExactly(victim.id());
        assertThat(report.lost()).isEmpty();
        assertThat(report.stale()).isEmpty();
    }

    @Test
    void shouldCatchAStaleAndAMissingReplicaRow() {
        Map<String, ReferenceMerge.Expected> truth = oracle.truth(ledger);
        Map<String, ReplicaRow> replica = replicaOf(truth);
        ReplicaRow older = replica.values().stream().filter(r -> r.version() > 1).findFirst().orElseThrow();
        replica.put(older.id(), new ReplicaRow(older.id(), older.version() - 1, older.deleted(), older.data()));
        String missing = replica.keySet().stream().filter(k -> !k.equals(older.id())).findFirst().orElseThrow();
        replica.remove(missing);

        OracleReport report = oracle.checkReplica("behind", truth, replica);

        assertThat(report.stale()).containsExactly(older.id());
        assertThat(report.lost()).containsExactly(missing);
    }

    private static Map<String, ReplicaRow> replicaOf(Map<String, ReferenceMerge.Expected> truth) {
        Map<String, ReplicaRow> rows = new HashMap<>();
        truth.forEach((id, expected) -> rows.put(id, new ReplicaRow(id, expected.version(), expected.deleted(),
                expected.deleted() ? null : expected.data())));
        return rows;
    }
}
