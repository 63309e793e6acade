package dev.concord.consumer.store;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What one poll brought: the changes in consumption order, and per partition the offset to resume
 * from once they are stored (last offset + 1, counting records that were skipped as undecodable).
 */
public record StateBatch(List<StateChange> changes, Map<TopicPartition, Long> nextOffsets) {

    public StateBatch {
        changes = List.copyOf(changes);
        nextOffsets = Map.copyOf(nextOffsets);
    }
}
