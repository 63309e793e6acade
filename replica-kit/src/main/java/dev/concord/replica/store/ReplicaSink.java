package dev.concord.replica.store;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a replica's changes go, and the only source of where it resumes: the contract between the
 * {@link dev.concord.replica.apply.StateApplier} and a store. Two implementations: consumer-service's generic
 * entity table with its change feed, and {@link dev.concord.replica.jdbc.ProjectionSink}, which hands each change
 * to a team's own projection.
 *
 * <p>What an implementation guarantees: a batch's changes, its dead letters and its next offsets are stored in
 * one transaction, or nothing is; a stored version never goes back (re-applying a record is harmless); and
 * {@link #storedOffsets} returns only what such a transaction committed.
 */
public interface ReplicaSink {

    /** The next offset to consume per partition, for the partitions this store has consumed; absent: never consumed. */
    Map<TopicPartition, Long> storedOffsets(Collection<TopicPartition> partitions);

    /**
     * Applies the batch and saves its next offsets, in one transaction.
     *
     * @throws StoreException if the store fails; then nothing of the batch is stored
     */
    AppliedBatch apply(StateBatch batch);

    /**
     * The head of the store's own change sequence (consumer-service's change feed), told to
     * {@code onCommitted} listeners at start; 0 for a store that keeps none.
     */
    default long feedHead() {
        return 0;
    }
}
