package dev.concord.replica.apply;

import dev.concord.replica.store.AppliedBatch;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/** What the applier measures; Micrometer in the service ({@link MicrometerReplicaMetrics}), nothing in plain tests. */
public interface ReplicaMetrics {

    ReplicaMetrics NONE = new ReplicaMetrics() {
    };

    /** A batch of {@code records} polled records committed with this outcome ({@code undecodable} were dead-lettered by the decoder). */
    default void batchCommitted(int records, int undecodable, AppliedBatch applied, long nowMillis) {
    }

    /** Committed offsets per partition and the change feed's head. */
    default void watermark(Map<TopicPartition, Long> nextOffsets, long feedHead) {
    }

    /** Records between the consumer's position and the partition's end, per assigned partition. */
    default void lag(Map<TopicPartition, Long> lag) {
    }

    default void caughtUp(boolean caughtUp) {
    }
}
