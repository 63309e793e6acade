package dev.concord.replica.store;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What one poll brought: the changes in consumption order, and per partition the offset to resume
 * from once they are stored (last offset + 1, counting records that were refused).
 *
 * @param origins  the record of each change, index for index; empty when unknown (then a change the store
 *                 refuses is dead-lettered without its coordinates)
 * @param refused  records the decoder could not turn into a change: dead-lettered with the batch
 */
public record StateBatch(List<StateChange> changes, Map<TopicPartition, Long> nextOffsets, List<RecordOrigin> origins,
                         List<DeadLetter> refused) {

    public StateBatch {
        changes = List.copyOf(changes);
        nextOffsets = Map.copyOf(nextOffsets);
        origins = List.copyOf(origins);
        refused = List.copyOf(refused);
        if (!origins.isEmpty() && origins.size() != changes.size()) {
            throw new IllegalArgumentException("one origin per change: " + origins.size() + " for " + changes.size());
        }
    }

    public StateBatch(List<StateChange> changes, Map<TopicPartition, Long> nextOffsets) {
        this(changes, nextOffsets, List.of(), List.of());
    }

    /** The record change {@code index} came from, or null when unknown. */
    public RecordOrigin origin(int index) {
        return origins.isEmpty() ? null : origins.get(index);
    }
}
