package dev.concord.consumer.apply;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether the replica has caught up: bootstrapping is over once its position in every partition it
 * was assigned at start reaches that partition's end offset as it was then (for {@code read_committed},
 * the last stable offset). The target is taken once, so a busy topic cannot keep a replica from ever
 * being ready; once caught up it stays so, and later lag is reported, not turned into unreadiness.
 *
 * <p>Positions, not stored offsets, are compared: the consumer's position steps over transaction
 * markers that no record offset ever reaches. The applier reports positions only after the batch
 * they cover is committed to the store. Thread-safe: one writer (the applier), any readers.
 */
public final class CatchUpTracker {

    /**
     * A snapshot for the readiness endpoint.
     *
     * @param remaining records still to apply per target partition (bootstrap progress)
     * @param lag       records not yet applied per assigned partition now (after bootstrap, the detail to watch)
     */
    public record Progress(boolean caughtUp, Map<TopicPartition, Long> target, Map<TopicPartition, Long> remaining,
                           Map<TopicPartition, Long> lag) {
    }

    // end offset per partition assigned at start; null until the first assignment
    private volatile Map<TopicPartition, Long> target;
    // records still to apply per target partition, as of the last report
    private volatile Map<TopicPartition, Long> remaining = Map.of();
    private volatile boolean caughtUp;
    // the consumer's current lag per assigned partition, as of the last report
    private volatile Map<TopicPartition, Long> lag = Map.of();

    public boolean hasTarget() {
        return target != null;
    }

    /** Sets the target on the first call; later calls (re-assignments, restarts) change nothing. */
    public synchronized void targetIfAbsent(Map<TopicPartition, Long> endOffsets) {
        if (target == null) {
            target = Map.copyOf(endOffsets);
            remaining = target;
        }
    }

    /**
     * Reports the positions reached by committed batches.
     *
     * @return whether the replica is (now or already) caught up
     */
    public synchronized boolean committedPositions(Map<TopicPartition, Long> positions) {
        if (target == null) {
            return false;
        }
        Map<TopicPartition, Long> left = new TreeMap<>((a, b) -> a.topic().equals(b.topic())
                ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
        boolean all = true;
        for (Map.Entry<TopicPartition, Long> end : target.entrySet()) {
            Long position = positions.get(end.getKey());
            long behind = position == null ? end.getValue() : Math.max(0, end.getValue() - position);
            if (position == null || behind > 0) {
                // Not known here (or not reached): a partition moved to another member keeps us unready.
                all = false;
            }
            left.put(end.getKey(), behind);
        }
        remaining = Map.copyOf(left);
        if (all) {
            caughtUp = true;
        }
        return caughtUp;
    }

    /** The consumer's current lag per assigned partition (informational; readiness does not depend on it). */
    public void lag(Map<TopicPartition, Long> current) {
        lag = Map.copyOf(current);
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    public Progress progress() {
        Map<TopicPartition, Long> t = target;
        return new Progress(caughtUp, t == null ? Map.of() : t, remaining, lag);
    }
}
