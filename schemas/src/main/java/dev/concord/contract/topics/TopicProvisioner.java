package dev.concord.contract.topics;

import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Concord's topics from the type declarations at start-up, idempotently: every service may
 * call it, whoever comes first creates, the others find the topics there. Existing topics are left
 * as they are (changing partitions of a keyed topic would move keys; that is an operator's decision).
 * On Kubernetes the same topics are declared as Strimzi {@code KafkaTopic} resources instead.
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    static final java.time.Duration STATE_MIN_COMPACTION_LAG = java.time.Duration.ofMinutes(15);

    private TopicProvisioner() {
    }

    /** Events, state and the shared topics for all declared types. */
    public static void ensureTopics(Map<String, Object> clientConfig, EntityTypes types) {
        List<NewTopic> topics = new ArrayList<>();
        for (EntityType type : types.all()) {
            topics.add(new NewTopic(TopicNames.events(type.name()), Optional.of(type.partitions()), Optional.empty()));
            // Older records of a key survive compaction 15 minutes: the write outcomes of that window stay readable
            // for a service that restarts (docs/consistency.md), as deploy/k8s/kafka/topics.yaml sets it.
            topics.add(new NewTopic(TopicNames.state(type.name()), Optional.of(type.partitions()), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                            TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, String.valueOf(STATE_MIN_COMPACTION_LAG.toMillis()))));
        }
        for (String shared : List.of(TopicNames.CONFLICTS, TopicNames.REJECTED, TopicNames.DLQ)) {
            topics.add(new NewTopic(shared, Optional.empty(), Optional.empty()));
        }
        create(clientConfig, topics);
    }

    /**
     * The topics MirrorMaker 2 fills with other regions' events ({@link TopicNames#mirroredEvents}), as the local events
     * topics are: the processor reads them from its start, before the mirror may have created them. MirrorMaker keeps
     * a topic that exists (it has the same partitions as the source: both follow the type's declaration).
     */
    public static void ensureMirroredEvents(Map<String, Object> clientConfig, EntityTypes types, List<String> regions) {
        List<NewTopic> topics = new ArrayList<>();
        for (String region : regions) {
            for (EntityType type : types.all()) {
                topics.add(new NewTopic(TopicNames.mirroredEvents(region, type.name()), Optional.of(type.partitions()), Optional.empty()));
            }
        }
        if (!topics.isEmpty()) {
            create(clientConfig, topics);
        }
    }

    /** The catalog topic: one partition so registrations have one order, compacted by fingerprint. */
    public static void ensureCatalogTopic(Map<String, Object> clientConfig, String topic) {
        create(clientConfig, List.of(compacted(new NewTopic(topic, Optional.of(1), Optional.empty()))));
    }

    private static NewTopic compacted(NewTopic topic) {
        return topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    private static void create(Map<String, Object> clientConfig, List<NewTopic> topics) {
        try (Admin admin = Admin.create(clientConfig)) {
            var results = admin.createTopics(topics).values();
            for (var entry : results.entrySet()) {
                try {
                    entry.getValue().get();
                    LOG.info("Created topic {}", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new KafkaException("could not create topic " + entry.getKey() + ": " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while creating topics", e);
        }
    }
}
