package dev.concord.processor.topology;

import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
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

    /**
     * The partition counts of every declared type's events topic, as the broker has them now.
     *
     * @throws IllegalStateException when a type's state topic is missing or has another partition count than its events
     *                               topic: the state topic is the store's log, partition p holding the entities of events
     *                               partition p ({@link StateTopicAsChangelog}); with another count, states would land on
     *                               partitions that no task restores from
     */
    public static EventPartitions fromBroker(Admin admin, EntityTypes types) {
        List<String> topics = new ArrayList<>();
        types.all().forEach(type -> topics.addAll(List.of(TopicNames.events(type.name()), TopicNames.state(type.name()))));
        Map<String, Integer> partitionsOf = partitionCounts(admin, topics);
        Map<String, Integer> counts = byType(types, partitionsOf, TopicNames::events);
        Map<String, Integer> stateCounts = byType(types, partitionsOf, TopicNames::state);
        List<String> unlike = types.all().stream().filter(type -> !counts.get(type.name()).equals(stateCounts.get(type.name())))
                .map(type -> TopicNames.state(type.name()) + " has " + stateCounts.get(type.name()) + " partitions, "
                        + TopicNames.events(type.name()) + " " + counts.get(type.name()))
                .toList();
        if (!unlike.isEmpty()) {
            throw new IllegalStateException(String.join("; ", unlike) + ": a state topic is its type's store log and needs the"
                    + " events topic's partition count (docs/operations.md, \"Scale\")");
        }
        return new EventPartitions(counts);
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
        List<String> topics = types.all().stream().map(type -> TopicNames.events(type.name())).toList();
        return byType(types, partitionCounts(admin, topics), TopicNames::events);
    }

    private static Map<String, Integer> byType(EntityTypes types, Map<String, Integer> partitionsOf, UnaryOperator<String> topicOfType) {
        Map<String, Integer> counts = new HashMap<>();
        types.all().forEach(type -> counts.put(type.name(), partitionsOf.get(topicOfType.apply(type.name()))));
        return counts;
    }

    /** One describe call for all the topics (topic name to partition count); a failure names the topics it concerns. */
    private static Map<String, Integer> partitionCounts(Admin admin, List<String> topics) {
        DescribeTopicsResult described = admin.describeTopics(topics);
        try {
            Map<String, TopicDescription> descriptions = described.allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, Integer> counts = new HashMap<>();
            descriptions.forEach((topic, description) -> counts.put(topic, description.partitions().size()));
            List<String> undescribed = topics.stream().filter(topic -> !counts.containsKey(topic)).toList();
            if (!undescribed.isEmpty()) {
                throw new IllegalStateException("could not read the partitions of the topics " + undescribed
                        + ": the broker did not describe them");
            }
            return counts;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the partitions of " + topics, e);
        } catch (ExecutionException | TimeoutException e) {
            List<String> failed = described.topicNameValues().entrySet().stream()
                    .filter(topic -> topic.getValue().isCompletedExceptionally()).map(Map.Entry::getKey).sorted().toList();
            String cause = e instanceof ExecutionException ? e.getCause().getMessage() : "no answer within " + TIMEOUT;
            throw new IllegalStateException("could not read the partitions of the topics " + (failed.isEmpty() ? topics : failed)
                    + ": " + cause, e);
        }
    }
}
