package dev.concord.processor.topology;

import org.apache.kafka.streams.Topology;

/**
 * A {@link Topology} whose entity state stores are restored from {@code concord.state.<type>} itself, so that each
 * accepted event costs one broker write instead of two (the state record, and the same state again on a changelog).
 *
 * <p>The store is built with logging disabled, and the state topic is named as its changelog through
 * {@code InternalTopologyBuilder.connectSourceStoreAndTopic}, the mechanism behind Kafka Streams' public
 * {@code Topology.addReadOnlyStateStore} (KIP-813). Kafka Streams then restores the store from the state topic after
 * a crash, a wipe or a move, exactly as from a changelog: to the partition's end, {@code read_committed} under
 * exactly-once, and checkpoints the offsets the task's own writes reached. What makes this correct is that the
 * processor publishes every store write, with the same bytes, on the same partition (the task's: events found on
 * another partition than their key's are refused), in the same transaction (docs/architecture.md, "The processor's
 * writes"). The call is in Kafka Streams' internals package: {@code ProcessorFailoverIT} and
 * {@code StateRestoreBrokerTest} are what notice if an upgrade changes it.
 */
final class StateTopicAsChangelog extends Topology {

    /** Restore {@code storeName} (built with logging disabled) from {@code topic}, which the topology writes. */
    void restoreFrom(String storeName, String topic) {
        internalTopologyBuilder.connectSourceStoreAndTopic(storeName, topic);
    }
}
