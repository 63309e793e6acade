package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.types.MergePolicy;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DuplicatesAndClockGuardTopologyTest {

    private final TopologyFixture f = new TopologyFixture(MergePolicy.LAST_WRITER_WINS,
            new SyncSettings(Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofDays(1), Duration.ofMinutes(1),
                    SyncSettings.DEFAULT_MAX_OUTPUT_BYTES));

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldDropARedeliveredEventWithinTheWindowEvenAfterNewerWrites() {
        EntityEvent first = f.upsert("c-1", 1_000, "writer-a", "First");
        f.events.pipeInput("c-1", first, T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "writer-b", "Second"), T0.plusSeconds(1));
        f.events.pipeInput("c-1", first, T0.plusSeconds(60));

        assertThat(f.states.readValuesToList()).hasSize(2);
        assertThat(f.conflicts.isEmpty()).as("a redelivery is not a conflict").isTrue();
        assertThat(f.store.get("c-1").getVersion()).isEqualTo(2);
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldForgetEventIdsAfterTheWindowSoStorageStaysBounded() {
        EntityEvent first = f.upsert("c-1", 1_000, "writer-a", "First");
        f.events.pipeInput("c-1", first, T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "writer-b", "Second"), T0.plus(Duration.ofMinutes(30)));
        f.events.pipeInput("c-1", first, T0.plus(Duration.ofMinutes(31)));

        f.states.readValuesToList();
        assertThat(f.conflicts.readValue().getLoser().getEventId())
                .as("beyond the window the merge rule still refuses the stale write, now seen as a conflict")
                .isEqualTo(first.getEventId());
        assertThat(f.store.get("c-1").getVersion()).isEqualTo(2);
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
