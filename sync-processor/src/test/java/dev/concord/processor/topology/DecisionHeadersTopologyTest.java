package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.events.ReplayRequest;
import dev.concord.contract.outcomes.DecisionHeaders;
import dev.concord.contract.types.MergePolicy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Every state record names the write it decided (docs/contract.md), so outcomes need no record of their own. */
class DecisionHeadersTopologyTest {

    @Test
    void shouldNameTheAppliedWriteOnItsStateEvenWhenANewerWriteIsTheStatesLastEvent() {
        try (TopologyFixture f = new TopologyFixture(MergePolicy.FIELD_MERGE)) {
            EntityEvent newer = f.patch("c-1", 2_100, "sales", Map.of("name", "Ada Lovelace"));
            EntityEvent older = f.patch("c-1", 2_000, "support", Map.of("phone", "+44 20 1234"));
            f.events.pipeInput("c-1", newer, T0);
            f.events.pipeInput("c-1", older, T0);

            List<TestRecord<String, EntityState>> states = f.states.readRecordsToList();
            assertThat(DecisionHeaders.decidedEvent(states.get(0).headers())).contains(newer.getEventId().toString());
            // The older patch won its field: the state's lastEventId stays the newest write's, the header names this one.
            assertThat(states.get(1).value().getLastEventId()).isEqualTo(newer.getEventId());
            assertThat(DecisionHeaders.decidedEvent(states.get(1).headers())).contains(older.getEventId().toString());
            assertThat(DecisionHeaders.lostFields(states.get(1).headers())).isEmpty();
        }
    }

    @Test
    void shouldNameTheFieldsOfAnAppliedWriteThatLostAndKeepThatOffItsConflictRecord() {
        try (TopologyFixture f = new TopologyFixture(MergePolicy.FIELD_MERGE)) {
            f.events.pipeInput("c-1", f.patch("c-1", 2_000, "sales", Map.of("name", "New name")), T0);
            EntityEvent older = f.upsert("c-1", 1_000, "import", "Old name", "old@example.com");
            f.events.pipeInput("c-1", older, T0);

            TestRecord<String, EntityState> applied = f.states.readRecordsToList().get(1);
            assertThat(DecisionHeaders.decidedEvent(applied.headers())).contains(older.getEventId().toString());
            assertThat(DecisionHeaders.lostFields(applied.headers())).containsExactly("name");
            assertThat(DecisionHeaders.decidedEvent(f.conflicts.readRecord().headers())).isEmpty();
        }
    }

    @Test
    void shouldReplaceAForgedDecisionHeaderAndLeaveReplaysUnmarked() {
        try (TopologyFixture f = new TopologyFixture(MergePolicy.LAST_WRITER_WINS)) {
            EntityEvent write = f.upsert("c-1", 1_000, "crm", "Ada");
            RecordHeaders forged = new RecordHeaders();
            forged.add(DecisionHeaders.DECIDED_EVENT, "someone-else".getBytes(StandardCharsets.UTF_8));
            forged.add(DecisionHeaders.LOST_FIELDS, "name".getBytes(StandardCharsets.UTF_8));
            f.events.pipeInput(new TestRecord<>("c-1", write, forged, T0));
            RecordHeaders replay = new RecordHeaders();
            replay.add(ReplayRequest.header(ReplayRequest.Scope.ENTITY));
            f.rawEvents.pipeInput(new TestRecord<>("c-1".getBytes(StandardCharsets.UTF_8), null, replay, T0));

            List<TestRecord<String, EntityState>> states = f.states.readRecordsToList();
            assertThat(DecisionHeaders.decidedEvent(states.get(0).headers())).contains(write.getEventId().toString());
            assertThat(DecisionHeaders.lostFields(states.get(0).headers())).isEmpty();
            assertThat(DecisionHeaders.decidedEvent(states.get(1).headers())).as("a replay decides nothing").isEmpty();
        }
    }

    /** Field-merge holds each write's registers, so it knows the very write again (last-writer-wins calls it a lost conflict). */
    @Test
    void shouldLedgerTheSameWriteUnderANewIdAsAlreadyApplied() {
        try (TopologyFixture f = new TopologyFixture(MergePolicy.FIELD_MERGE)) {
            EntityEvent write = f.upsert("c-1", 1_000, "crm", "Ada");
            f.events.pipeInput("c-1", write, T0);
            f.events.pipeInput("c-1", EntityEvent.newBuilder(write).setEventId(UUID.randomUUID()).build(), T0);
            // The same id again is a redelivery: its outcome is the first one, and nothing more is written.
            f.events.pipeInput("c-1", write, T0);

            assertThat(f.states.readValuesToList()).hasSize(1);
            RejectedEvent duplicate = f.rejected.readValue();
            assertThat(duplicate.getReason()).isEqualTo(RejectionReason.ALREADY_APPLIED);
            assertThat(duplicate.getCurrentVersion()).isEqualTo(1);
            assertThat(f.allOutputsEmpty()).isTrue();
        }
    }
}
