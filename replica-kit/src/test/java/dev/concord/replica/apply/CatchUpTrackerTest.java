package dev.concord.replica.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CatchUpTrackerTest {

    private static final TopicPartition P0 = new TopicPartition("concord.state.customer", 0);
    private static final TopicPartition P1 = new TopicPartition("concord.state.customer", 1);

    private final CatchUpTracker tracker = new CatchUpTracker();

    @Test
    void shouldNotBeCaughtUpBeforeKnowingWhereTheEndIs() {
        assertThat(tracker.committedPositions(Map.of(P0, 100L))).isFalse();
        assertThat(tracker.progress().target()).isEmpty();
    }

    @Test
    void shouldBeCaughtUpOnlyWhenEveryPartitionReachedItsEndAtStart() {
        tracker.targetIfAbsent(Map.of(P0, 100L, P1, 50L));

        assertThat(tracker.committedPositions(Map.of(P0, 100L, P1, 49L))).isFalse();
        assertThat(tracker.progress().remaining()).containsEntry(P0, 0L).containsEntry(P1, 1L);
        assertThat(tracker.committedPositions(Map.of(P0, 100L))).as("a partition not reported keeps it unready").isFalse();

        // Positions past the end (a transaction marker was stepped over) count as caught up.
        assertThat(tracker.committedPositions(Map.of(P0, 101L, P1, 50L))).isTrue();
        assertThat(tracker.progress().remaining()).containsEntry(P0, 0L).containsEntry(P1, 0L);
    }

    @Test
    void shouldKeepFirstTargetAndStayCaughtUpOnceItWas() {
        tracker.targetIfAbsent(Map.of(P0, 10L));
        tracker.targetIfAbsent(Map.of(P0, 1_000L)); // a later assignment does not move the goal

        assertThat(tracker.committedPositions(Map.of(P0, 10L))).isTrue();
        assertThat(tracker.committedPositions(Map.of(P0, 10L, P1, 0L))).as("later lag is not unreadiness").isTrue();
        assertThat(tracker.caughtUp()).isTrue();
    }

    @Test
    void shouldBeCaughtUpAtOnceWhenTopicsAreEmpty() {
        tracker.targetIfAbsent(Map.of(P0, 0L, P1, 0L));

        assertThat(tracker.committedPositions(Map.of(P0, 0L, P1, 0L))).isTrue();
    }

    @Test
    void shouldBecomeReadyAfterLosingAPartitionItHadNotCaughtUpWith() {
        TopicPartition a = new TopicPartition("concord.state.customer", 0);
        TopicPartition b = new TopicPartition("concord.state.customer", 1);
        CatchUpTracker tracker = new CatchUpTracker();
        tracker.follow(java.util.Set.of(a, b), partitions -> java.util.Map.of(a, 100L, b, 100L));
        assertThat(tracker.committedPositions(java.util.Map.of(a, 100L, b, 10L))).isFalse();

        // b moves to another instance of the same replica mid-bootstrap
        assertThat(tracker.follow(java.util.Set.of(a), partitions -> { throw new AssertionError("nothing gained"); })).isTrue();

        assertThat(tracker.committedPositions(java.util.Map.of(a, 100L))).isTrue();
    }

    @Test
    void shouldWaitForAPartitionGainedBeforeCatchingUp() {
        TopicPartition a = new TopicPartition("concord.state.customer", 0);
        TopicPartition b = new TopicPartition("concord.state.customer", 1);
        CatchUpTracker tracker = new CatchUpTracker();
        tracker.follow(java.util.Set.of(a), partitions -> java.util.Map.of(a, 100L));
        tracker.follow(java.util.Set.of(a, b), partitions -> {
            assertThat(partitions).containsExactly(b);
            return java.util.Map.of(b, 50L);
        });

        assertThat(tracker.committedPositions(java.util.Map.of(a, 100L, b, 20L))).isFalse();
        assertThat(tracker.committedPositions(java.util.Map.of(a, 100L, b, 50L))).isTrue();
        // Caught up stays caught up: later rebalances change nothing.
        assertThat(tracker.follow(java.util.Set.of(b), partitions -> java.util.Map.of())).isFalse();
        assertThat(tracker.caughtUp()).isTrue();
    }
}
