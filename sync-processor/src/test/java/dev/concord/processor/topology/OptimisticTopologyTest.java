package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.types.MergePolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OptimisticTopologyTest {

    private final TopologyFixture f = new TopologyFixture(MergePolicy.OPTIMISTIC);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldLetExactlyOneOfTwoWritersRacingFromTheSameVersionWin() {
        f.events.pipeInput("o-1", EntityEvents.expectingVersion(f.upsert("o-1", 1_000, "checkout", "created"), 0), T0);
        f.events.pipeInput("o-1", EntityEvents.expectingVersion(f.upsert("o-1", 2_000, "payments", "paid"), 1), T0);
        f.events.pipeInput("o-1", EntityEvents.expectingVersion(f.upsert("o-1", 2_500, "support", "cancelled"), 1), T0);

        assertThat(f.states.readValuesToList()).extracting(s -> f.field(s, "name") + "@v" + s.getVersion())
                .as("the refused write changed nothing").containsExactly("created@v1", "paid@v2", "paid@v2");
        RejectedEvent rejected = f.rejected.readValue();
        assertThat(rejected.getReason()).isEqualTo(RejectionReason.VERSION_MISMATCH);
        assertThat(rejected.getCurrentVersion()).isEqualTo(2);
        assertThat(rejected.getEvent().getWriter()).isEqualTo("support");
        assertThat(rejected.getDetail()).contains("expected version 1").contains("version 2");
        assertThat(f.store.get("o-1").getVersion()).isEqualTo(2);
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldApplyAMatchingVersionEvenWithAnOlderClock() {
        f.events.pipeInput("o-1", f.upsert("o-1", 5_000, "checkout", "created"), T0);
        f.events.pipeInput("o-1", EntityEvents.expectingVersion(f.upsert("o-1", 4_000, "lagging-clock", "paid"), 1), T0);

        assertThat(f.states.readValuesToList()).extracting(s -> f.field(s, "name")).containsExactly("created", "paid");
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldTreatWritesWithoutExpectedVersionAsLastWriterWins() {
        f.events.pipeInput("o-1", f.upsert("o-1", 5_000, "a", "newer"), T0);
        f.events.pipeInput("o-1", f.upsert("o-1", 4_000, "b", "older"), T0);

        assertThat(f.field(f.states.readValue(), "name")).isEqualTo("newer");
        assertThat(f.field(f.readUnchangedState("o-1", 1), "name")).isEqualTo("newer");
        assertThat(f.conflicts.readValue().getRule()).isEqualTo("optimistic");
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldNotApplyARedeliveredRefusedWriteOnceTheEntityReachesTheVersionItExpected() {
        // Given a write refused because the entity was not yet at the version it expected
        EntityEvent early = EntityEvents.expectingVersion(f.upsert("o-1", 3_000, "support", "cancelled"), 2);
        f.events.pipeInput("o-1", f.upsert("o-1", 1_000, "checkout", "created"), T0);
        f.events.pipeInput("o-1", early, T0);
        // When the entity then reaches that version and the refused write is redelivered
        f.events.pipeInput("o-1", EntityEvents.expectingVersion(f.upsert("o-1", 2_000, "payments", "paid"), 1), T0);
        f.events.pipeInput("o-1", early, T0);

        // Then the refusal stands: the writer was told "rejected", and nothing applies it behind its back
        assertThat(f.states.readValuesToList()).extracting(s -> f.field(s, "name") + "@v" + s.getVersion())
                .as("the refusal is remembered (and published), the redelivery dropped")
                .containsExactly("created@v1", "created@v1", "paid@v2");
        assertThat(f.rejected.readValuesToList()).hasSize(1);
        assertThat(f.store.get("o-1").getVersion()).isEqualTo(2);
        assertThat(f.allOutputsEmpty()).isTrue();
    }
}
