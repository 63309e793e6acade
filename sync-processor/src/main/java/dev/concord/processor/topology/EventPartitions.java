package dev.concord.processor.topology;

import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.utils.Utils;

/**
 * On which partition of its type's events topic an entity's events belong: where Kafka's Java producer puts a
 * keyed record, {@code toPositive(murmur2(key bytes)) % partitions}. One entity is one Kafka Streams task only
 * if every writer places its events so; an event found elsewhere would fork the entity (a second task folding
 * its own version 1), so the processor refuses it ({@code WRONG_PARTITION}, docs/contract.md).
 *
 * <p>The partition counts are the topics' real ones, read from the broker (not the declaration, which an
 * operator's change of partitions could leave behind), and can be read again ({@link #update}).
 */
public final class EventPartitions {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    // type name -> partitions of its events topic
    private volatile Map<String, Integer> counts;

    private EventPartitions(Map<String, Integer> counts) {
        this.counts = Map.copyOf(counts);
    }

    /** The partition counts of every declared type's events topic, as the broker has them now. */
    public static EventPartitions fromBroker(Admin admin, EntityTypes types) {
        return new EventPartitions(read(admin, types));
    }

    /** One partition per events topic: what Kafka Streams' TopologyTestDriver gives every topic. */
    public static EventPartitions onePerTopic(EntityTypes types) {
        Map<String, Integer> counts = new HashMap<>();
        types.all().forEach(type -> counts.put(type.name(), 1));
        return new EventPartitions(counts);
    }

    /** Takes counts read again ({@link #read}), e.g. after an operator added partitions. */
    public void update(Map<String, Integer> current) {
        counts = Map.copyOf(current);
    }

    /**
     * Where the record with this key belongs, if that is not {@code partition}, the one it was found on.
     *
     * @return the home partition, or -1 when the record is where it belongs (or its partition is unknown)
     */
    int misplaced(EntityType type, byte[] key, int partition) {
        Integer count = counts.get(type.name());
        if (count == null || partition < 0) {
            return -1;
        }
        int home = homeOf(key, count);
        return home == partition ? -1 : home;
    }

    /** Kafka's default placement of a keyed record (the Java client's BuiltInPartitioner.partitionForKey). */
    static int homeOf(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    /**
     * Reads the partition count of every declared type's events topic (type name to count).
     *
     * @throws IllegalStateException naming the topics when the broker cannot tell (e.g. one is missing)
     */
    public static Map<String, Integer> read(Admin admin, EntityTypes types) {
        List<EntityType> declared = List.copyOf(types.all());
        List<String> topics = declared.stream().map(type -> TopicNames.events(type.name())).toList();
        try {
            Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, Integer> counts = new HashMap<>();
            for (EntityType type : declared) {
                counts.put(type.name(), descriptions.get(TopicNames.events(type.name())).partitions().size());
            }
            return counts;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the partitions of " + topics, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not read the partitions of the events topics " + topics + ": " + e.getMessage(), e);
        }
    }
}
