package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityState;
import dev.concord.contract.types.MergePolicy;
import java.time.Duration;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeletesTopologyTest {

    private static final Duration RETENTION = Duration.ofHours(2);
    private final TopologyFixture f = new TopologyFixture(MergePolicy.LAST_WRITER_WINS,
            new SyncSettings(SyncSettings.DEFAULT_RECENT_EVENT_IDS, Duration.ofMinutes(1), RETENTION, Duration.ofMinutes(1),
                    SyncSettings.DEFAULT_MAX_OUTPUT_BYTES));

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldPublishAVersionedTombstoneThatALateUpdateCannotResurrect() {
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "writer-a", "Ada"), T0);
        f.events.pipeInput("c-1", f.delete("c-1", 3_000, "writer-b"), T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "writer-c", "Late"), T0);

        assertThat(f.states.readValue().getVersion()).isEqualTo(1);
        EntityState tombstone = f.states.readValue();
        assertThat(tombstone.getDeleted()).isTrue();
        assertThat(tombstone.getVersion()).isEqualTo(2);
        assertThat(tombstone.getPayload()).isNull();
        assertThat(tombstone.getClock().getPhysicalMillis()).isEqualTo(3_000);
        assertThat(f.store.get("c-1").getDeleted()).isTrue();
        assertThat(f.conflicts.readValue().getLoser().getWriter()).isEqualTo("writer-c");
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldRecreateTheEntityWhenAWriteIsNewerThanTheDelete() {
        f.events.pipeInput("c-1", f.delete("c-1", 3_000, "writer-b"), T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 4_000, "writer-a", "Back"), T0);

        assertThat(f.states.readValuesToList()).extracting(EntityState::getVersion, EntityState::getDeleted)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, true), org.assertj.core.groups.Tuple.tuple(2L, false));
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldExpireTombstonesAfterRetentionWithAKafkaTombstone() {
        f.events.pipeInput("gone", f.upsert("gone", 1_000, "writer-a", "Ada"), T0);
        f.events.pipeInput("gone", f.delete("gone", 2_000, "writer-a"), T0);
        f.events.pipeInput("kept", f.upsert("kept", 1_000, "writer-a", "Bob"), T0);
        f.states.readRecordsToList();

        f.driver.advanceWallClockTime(RETENTION.minusMinutes(5));
        assertThat(f.states.isEmpty()).as("not yet expired").isTrue();

        f.driver.advanceWallClockTime(Duration.ofMinutes(10));
        TestRecord<String, EntityState> expiry = f.states.readRecord();
        assertThat(expiry.key()).isEqualTo("gone");
        assertThat(expiry.value()).isNull();
        assertThat(f.store.get("gone")).isNull();
        assertThat(f.store.get("kept")).isNotNull();
        assertThat(f.allOutputsEmpty()).isTrue();
    }
}
