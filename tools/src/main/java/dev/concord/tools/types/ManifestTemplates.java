package dev.concord.tools.types;

import dev.concord.contract.topics.TopicNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What deploy/k8s holds for each declared entity type, written from the declaration: the type's two
 * topics, each service's ACL entries on them, the dev overlay's single-replica patches, KEDA's lag reader
 * and the autoscalers' ceilings. The rules are the ones the k8s-tests check (the producer writes events,
 * the processor reads events and writes state, the replica reads state, KEDA describes both).
 */
final class ManifestTemplates {

    /** The block name prefix of a region overlay's mirrored topics; the source region's name follows. */
    static final String MIRRORED_EVENTS = "mirrored-events-from-";

    private final List<DeclaredType> types;
    private final int processorStreamThreads;

    /** @param processorStreamThreads the stream threads of one sync-processor instance, as the base configures them */
    ManifestTemplates(List<DeclaredType> types, int processorStreamThreads) {
        this.types = List.copyOf(types);
        this.processorStreamThreads = processorStreamThreads;
    }

    Map<String, Function<String, List<String>>> blocks() {
        Map<String, Function<String, List<String>>> blocks = new LinkedHashMap<>();
        blocks.put("topics", block -> topics());
        blocks.put("producer-events", block -> acls(TopicNames::events, "[Write, Describe]"));
        blocks.put("processor-events", block -> acls(TopicNames::events, "[Read, Describe]"));
        // Writes the decided states, and reads them back: the state topic is its store's log (restore).
        blocks.put("processor-state", block -> acls(TopicNames::state, "[Read, Write, Describe]"));
        blocks.put("replica-state", block -> acls(TopicNames::state, "[Read, Describe]"));
        blocks.put("producer-state", block -> acls(TopicNames::state, "[Read, Describe]"));
        blocks.put("lag-reader-topics", block -> {
            List<String> lines = new ArrayList<>(acls(TopicNames::events, "[Describe]"));
            lines.addAll(acls(TopicNames::state, "[Describe]"));
            return lines;
        });
        blocks.put("type-files", block -> types.stream().map(t -> "- types/" + t.schemaFileName()).toList());
        // A region overlay's topics for the events mirrored from another region (docs/multi-region.md).
        blocks.put(MIRRORED_EVENTS + "*", block -> mirroredTopics(block.substring(MIRRORED_EVENTS.length())));
        blocks.put("dev-single-replica-topics", block -> devSingleReplicaPatches());
        blocks.put("processor-max-replicas", block -> List.of("maxReplicaCount: " + processorMaxReplicas()));
        blocks.put("replica-max-replicas", block -> List.of("maxReplicaCount: " + partitionSum()));
        return blocks;
    }

    private List<String> topics() {
        List<String> lines = new ArrayList<>();
        for (DeclaredType type : types) {
            lines.add("# " + type.name() + ": writers' events. Kept 7 days: the state topic holds the outcome; events are the input to replay.");
            lines.addAll(topic(TopicNames.events(type.name()), type.partitions(), "cleanup.policy: \"delete\"", "retention.ms: 604800000"));
            lines.add("---");
            lines.add("# " + type.name() + ": decided state, compacted to the latest record per entity; replicas bootstrap from it. A Kafka");
            lines.add("# tombstone stays readable for a day: a replica away longer keeps the versioned tombstone row (reads 404).");
            lines.add("# Older records of a key are kept 15 minutes before compaction may drop them: the write outcomes of that window");
            lines.add("# (docs/consistency.md) can be read again by a service that restarts.");
            lines.addAll(topic(TopicNames.state(type.name()), type.partitions(), "cleanup.policy: \"compact\"", "delete.retention.ms: 86400000",
                    "min.compaction.lag.ms: 900000"));
            lines.add("---");
        }
        return lines;
    }

    private List<String> mirroredTopics(String region) {
        List<String> lines = new ArrayList<>();
        for (DeclaredType type : types) {
            lines.add("# " + type.name() + ": region " + region + "'s events, as MirrorMaker 2 copies them here; as many partitions as the source.");
            lines.addAll(topic(TopicNames.mirroredEvents(region, type.name()), type.partitions(), "cleanup.policy: \"delete\"",
                    "retention.ms: 604800000"));
            lines.add("---");
        }
        return lines;
    }

    private static List<String> topic(String name, int partitions, String cleanup, String... retention) {
        List<String> lines = new ArrayList<>(List.of(
                "apiVersion: kafka.strimzi.io/v1",
                "kind: KafkaTopic",
                "metadata:",
                "  name: " + name,
                "  labels:",
                "    strimzi.io/cluster: concord-kafka",
                "    app.kubernetes.io/part-of: concord",
                "spec:",
                "  topicName: " + name,
                "  partitions: " + partitions,
                "  replicas: 3",
                "  config:",
                "    " + cleanup,
                "    min.insync.replicas: 2"));
        for (String setting : retention) {
            lines.add("    " + setting);
        }
        return lines;
    }

    private List<String> acls(Function<String, String> topicOf, String operations) {
        List<String> lines = new ArrayList<>();
        for (DeclaredType type : types) {
            lines.add("- resource:");
            lines.add("    type: topic");
            lines.add("    name: " + topicOf.apply(type.name()));
            lines.add("    patternType: literal");
            lines.add("  operations: " + operations);
            lines.add("  host: \"*\"");
        }
        return lines;
    }

    private List<String> devSingleReplicaPatches() {
        List<String> lines = new ArrayList<>();
        for (DeclaredType type : types) {
            for (String topic : List.of(TopicNames.events(type.name()), TopicNames.state(type.name()))) {
                lines.add("- target: {group: kafka.strimzi.io, version: v1, kind: KafkaTopic, name: " + topic + "}");
                lines.add("  path: patches/topic-single-replica.yaml");
            }
        }
        return lines;
    }

    /** One task per events partition, shared by each instance's stream threads: more instances would leave threads idle. */
    int processorMaxReplicas() {
        return (partitionSum() + processorStreamThreads - 1) / processorStreamThreads;
    }

    // One task (processor) or one consumer (replica) per partition: more pods than the partitions of all types would idle.
    private int partitionSum() {
        return types.stream().mapToInt(DeclaredType::partitions).sum();
    }
}
