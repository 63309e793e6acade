package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityState;
import dev.concord.contract.topics.StateRecordLimits;
import dev.concord.contract.types.MergePolicy;
import dev.concord.processor.metrics.SyncMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeletesTopologyTest {

    private static final Duration RETENTION = Duration.ofHours(2);
    private final AtomicInteger examined = new AtomicInteger();
    private final TopologyFixture f = new TopologyFixture(MergePolicy.LAST_WRITER_WINS,
            new SyncSettings(SyncSettings.DEFAULT_RECENT_EVENT_IDS, Duration.ofMinutes(1), RETENTION, Duration.ofMinutes(1),
                    StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES, StateStoreKind.ROCKSDB), new CountingExamined(examined));

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
        assertThat(f.readUnchangedState("c-1", 2).getDeleted()).as("the late update changed nothing").isTrue();
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

    @Test
    void shouldReadOnlyTheDueTombstonesWhenExpiringInALargeStore() {
        // Given 10,000 live entities, three deleted long ago, one deleted and brought back, and two deleted recently
        IntStream.range(0, 10_000).forEach(i -> f.events.pipeInput("live-" + i, f.upsert("live-" + i, 1_000, "writer-a", "Live"), T0));
        List.of("old-1", "old-2", "old-3", "back").forEach(id -> f.events.pipeInput(id, f.delete(id, 2_000, "writer-a"), T0));
        f.driver.advanceWallClockTime(Duration.ofHours(1));
        f.events.pipeInput("back", f.upsert("back", 3_000, "writer-a", "Back"), T0);
        List.of("new-1", "new-2").forEach(id -> f.events.pipeInput(id, f.delete(id, 4_000, "writer-a"), T0));
        f.states.readRecordsToList();
        examined.set(0);

        // When the retention of the early deletes has passed, but not that of the recent ones
        f.driver.advanceWallClockTime(RETENTION.minusMinutes(30));

        // Then the expiry read the four early index entries and nothing else, and expired the three still deleted
        assertThat(f.states.readRecordsToList()).extracting(TestRecord::key, TestRecord::value)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("old-1", null),
                        org.assertj.core.groups.Tuple.tuple("old-2", null), org.assertj.core.groups.Tuple.tuple("old-3", null));
        assertThat(examined).as("index entries read by the expiry runs").hasValue(4);
        assertThat(f.store.get("back").getDeleted()).isFalse();
        assertThat(f.store.get("new-1").getDeleted()).as("deleted recently: kept").isTrue();
        assertThat(List.of("old-1", "old-2", "old-3")).allSatisfy(id -> assertThat(f.store.get(id)).isNull());
        assertThat(f.store.get("live-0")).isNotNull();
        assertThat(f.store.get("live-9999")).isNotNull();
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldIndexTombstonesWrittenBeforeTheIndexExistedOnce() {
        // Given a store from before the expiry index: a tombstone that the index has never seen
        EntityState legacy = EntityState.newBuilder().setEntityType("customer").setEntityId("legacy").setVersion(2)
                .setClock(new dev.concord.contract.avro.HybridClock(2_000L, 0)).setWriter("writer-a").setDeleted(true)
                .setLastEventId(java.util.UUID.randomUUID()).setUpdatedAt(T0).build();
        f.store.put("legacy", f.store.encode(legacy));

        // When its retention passes
        f.driver.advanceWallClockTime(RETENTION.plusMinutes(5));

        // Then the first expiry run indexed it and it expires like any other tombstone
        TestRecord<String, EntityState> expiry = f.states.readRecord();
        assertThat(expiry.key()).isEqualTo("legacy");
        assertThat(expiry.value()).isNull();
        assertThat(f.store.get("legacy")).isNull();
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    /** Counts the expiry-index entries each expiry run reads. */
    private static final class CountingExamined implements SyncMetrics {
        private final AtomicInteger examined;

        CountingExamined(AtomicInteger examined) {
            this.examined = examined;
        }

        @Override
        public void tombstonesExamined(String entityType, int count) {
            examined.addAndGet(count);
        }
    }
}
