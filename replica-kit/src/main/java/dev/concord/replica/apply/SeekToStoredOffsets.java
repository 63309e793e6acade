package dev.concord.replica.apply;

import dev.concord.replica.store.ReplicaSink;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On every assignment, positions the consumer where the store says it stopped (the store, not
 * Kafka's committed offsets, is the source of truth), or at the beginning of partitions it has never
 * consumed, so a new replica bootstraps from the whole compacted topic.
 *
 * <p>If the store cannot be read, the exception leaves {@code poll()} and the applier restarts its
 * consumer: partitions are never consumed from a position the store did not give.
 */
final class SeekToStoredOffsets implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger(SeekToStoredOffsets.class);

    private final Consumer<?, ?> consumer;
    private final ReplicaSink store;

    SeekToStoredOffsets(Consumer<?, ?> consumer, ReplicaSink store) {
        this.consumer = consumer;
        this.store = store;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> stored = store.storedOffsets(partitions);
        List<TopicPartition> neverConsumed = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            Long next = stored.get(partition);
            if (next == null) {
                neverConsumed.add(partition);
            } else {
                consumer.seek(partition, next);
            }
        }
        consumer.seekToBeginning(neverConsumed);
        LOG.info("Assigned {} partitions: {} resume from stored offsets {}, {} start from the beginning",
                partitions.size(), stored.size(), stored, neverConsumed.size());
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // Nothing in flight: each poll's batch is committed to the store before the next poll.
    }
}
