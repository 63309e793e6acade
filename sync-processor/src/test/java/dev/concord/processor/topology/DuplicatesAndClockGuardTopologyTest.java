package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.outcomes.DecisionHeaders;
import dev.concord.contract.topics.StateRecordLimits;
import dev.concord.contract.types.MergePolicy;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DuplicatesAndClockGuardTopologyTest {

    private static final int REMEMBERED = 3;
    private final TopologyFixture f = new TopologyFixture(MergePolicy.LAST_WRITER_WINS,
            new SyncSettings(REMEMBERED, Duration.ofSeconds(30), Duration.ofDays(1), Duration.ofMinutes(1),
                    StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES, StateStoreKind.ROCKSDB));

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldDropARedeliveredEventWhileTheEntityRemembersItEvenAfterNewerWrites() {
        // Given an event followed by a newer write to the same entity
        EntityEvent first = f.upsert("c-1", 1_000, "writer-a", "First");
        f.events.pipeInput("c-1", first, T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "writer-b", "Second"), T0.plusSeconds(1));

        // When the first event is delivered again
        f.events.pipeInput("c-1", first, T0.plusSeconds(60));

        // Then it is dropped silently: no state, no conflict
        assertThat(f.states.readValuesToList()).hasSize(2);
        assertThat(f.conflicts.isEmpty()).as("a redelivery is not a conflict").isTrue();
        assertThat(f.store.get("c-1").getVersion()).isEqualTo(2);
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldDropARedeliveredLoserWithoutASecondConflictRecord() {
        // Given a write that lost to a newer state
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "writer-b", "Newer"), T0);
        EntityEvent older = f.upsert("c-1", 1_000, "writer-a", "Older");
        f.events.pipeInput("c-1", older, T0.plusSeconds(1));
        assertThat(f.conflicts.readValue().getLoser().getEventId()).isEqualTo(older.getEventId());

        // When the losing event is delivered again
        f.events.pipeInput("c-1", older, T0.plusSeconds(2));

        // Then it is recognised as a copy: the ledger holds the conflict once
        assertThat(f.states.readValuesToList()).as("the state, then the same version remembering the loser's id")
                .extracting(EntityState::getVersion).containsExactly(1L, 1L);
        assertThat(f.store.get("c-1").getVersion()).isEqualTo(1);
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldRememberOnlyTheMostRecentEventIdsSoTheStateStaysBounded() {
        // Given an event followed by as many newer writes as the entity remembers
        EntityEvent first = f.upsert("c-1", 1_000, "writer-a", "First");
        f.events.pipeInput("c-1", first, T0);
        for (int i = 1; i <= REMEMBERED; i++) {
            f.events.pipeInput("c-1", f.upsert("c-1", 1_000 + i, "writer-b", "Next " + i), T0.plusSeconds(i));
        }
        assertThat(f.store.get("c-1").getRecentEventIds().remaining()).isEqualTo(REMEMBERED * 16);

        // When the first event is delivered again
        f.events.pipeInput("c-1", first, T0.plusSeconds(60));

        // Then the merge rule still refuses the stale write, now seen as a conflict
        f.states.readValuesToList();
        assertThat(f.conflicts.readValue().getLoser().getEventId()).isEqualTo(first.getEventId());
        assertThat(f.store.get("c-1").getVersion()).isEqualTo(1 + REMEMBERED);
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldPublishExactlyWhatItStoresSoTheStateTopicCanRestoreTheStore() {
        // When an event is applied, then an older write of the same field loses to it
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "writer-a", "Ada"), T0);
        EntityState applied = f.states.readValue();
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "writer-b", "Old"), T0.plusSeconds(1));

        // Then each state record is the stored state, dedup memory included: the discarded write's id is published too,
        // at the same version and without decision headers (it decided nothing), so a restore from the topic remembers it
        assertThat(applied.getRecentEventIds().remaining()).isEqualTo(16);
        var unchanged = f.states.readRecord();
        assertThat(unchanged.value()).isEqualTo(f.store.get("c-1"));
        assertThat(unchanged.value().getVersion()).isEqualTo(applied.getVersion());
        assertThat(unchanged.value().getRecentEventIds().remaining()).isEqualTo(32);
        assertThat(unchanged.headers().lastHeader(DecisionHeaders.DECIDED_EVENT)).isNull();
        assertThat(f.conflicts.readValuesToList()).hasSize(1);
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldRefuseAClockTooFarAheadAndNeverStoreIt() {
        long processorNow = T0.toEpochMilli();
        f.events.pipeInput("c-1", f.upsert("c-1", processorNow + 31_000, "runaway", "Future"), T0);
        f.events.pipeInput("c-2", f.upsert("c-2", processorNow + 29_000, "writer-a", "Soon"), T0);

        RejectedEvent rejected = f.rejected.readValue();
        assertThat(rejected.getReason()).isEqualTo(RejectionReason.CLOCK_SKEW);
        assertThat(rejected.getEvent().getEntityId()).isEqualTo("c-1");
        assertThat(rejected.getCurrentVersion()).isZero();
        assertThat(f.store.get("c-1")).isNull();
        assertThat(f.states.readKeyValue().key).as("within the bound is accepted").isEqualTo("c-2");
        assertThat(f.allOutputsEmpty()).isTrue();
    }
}
