package dev.concord.replica.apply;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether the replica has caught up: bootstrapping is over once its position in every partition it is
 * assigned reaches that partition's end offset as it was when the partition was assigned (for
 * {@code read_committed}, the last stable offset). Each partition's target is taken once, so a busy topic
 * cannot keep a replica from ever being ready. Until then the target follows rebalances: a partition
 * that moves to another instance (which applies it to the same store) leaves the target, so a pod that
 * loses partitions mid-bootstrap still becomes ready; a partition gained is added with its end offset
 * then. Once caught up it stays so, and later lag is reported, not turned into unreadiness.
 *
 * <p>Positions, not stored offsets, are compared: the consumer's position steps over transaction
 * markers that no record offset ever reaches. The applier reports positions only after the batch
 * they cover is committed to the store. Thread-safe: one writer (the applier), any readers.
 */
public final class CatchUpTracker implements BootstrapProgress {

    /**
     * A snapshot for the readiness endpoint.
     *
     * @param remaining records still to apply per target partition (bootstrap progress)
     * @param lag       records not yet applied per assigned partition now (after bootstrap, the detail to watch)
     */
    public record Progress(boolean caughtUp, Map<TopicPartition, Long> target, Map<TopicPartition, Long> remaining,
                           Map<TopicPartition, Long> lag) {

        /** Several appliers' progress as one (their partitions are disjoint): caught up when every one is. */
        public static Progress of(java.util.Collection<Progress> parts) {
            Map<TopicPartition, Long> target = new HashMap<>();
            Map<TopicPartition, Long> remaining = new HashMap<>();
            Map<TopicPartition, Long> lag = new HashMap<>();
            boolean caughtUp = !parts.isEmpty();
            for (Progress part : parts) {
                caughtUp &= part.caughtUp();
                target.putAll(part.target());
                remaining.putAll(part.remaining());
                lag.putAll(part.lag());
            }
            return new Progress(caughtUp, Map.copyOf(target), Map.copyOf(remaining), Map.copyOf(lag));
        }
    }

    // end offset per assigned partition, taken when it was assigned; null until the first assignment
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
     * Until caught up, makes the target the partitions assigned now: drops those moved to another
     * instance, adds those gained with their end offsets as of now ({@code endOffsets} is asked only for them).
     *
     * @return whether the target changed
     */
    public synchronized boolean follow(Set<TopicPartition> assigned, Function<Set<TopicPartition>, Map<TopicPartition, Long>> endOffsets) {
        if (caughtUp) {
            return false;
        }
        if (target == null) {
            targetIfAbsent(endOffsets.apply(assigned));
            return true;
        }
        Set<TopicPartition> gained = new HashSet<>(assigned);
        gained.removeAll(target.keySet());
        if (gained.isEmpty() && assigned.containsAll(target.keySet())) {
            return false;
        }
        Map<TopicPartition, Long> next = new HashMap<>(target);
        next.keySet().retainAll(assigned);
        if (!gained.isEmpty()) {
            next.putAll(endOffsets.apply(gained));
        }
        target = Map.copyOf(next);
        return true;
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

    /** Back to bootstrapping, for a replica that forgot what it held and reads the topics again from the beginning. */
    public synchronized void reset() {
        target = null;
        remaining = Map.of();
        lag = Map.of();
        caughtUp = false;
    }

    @Override
    public Progress progress() {
        Map<TopicPartition, Long> t = target;
        return new Progress(caughtUp, t == null ? Map.of() : t, remaining, lag);
    }
}
