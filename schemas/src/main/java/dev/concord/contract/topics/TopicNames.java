package dev.concord.contract.topics;

/** Names of Concord's topics. Per entity type: an events topic and a compacted state topic. */
public final class TopicNames {

    public static final String SCHEMAS = "concord.schemas";
    public static final String CONFLICTS = "concord.conflicts";
    public static final String REJECTED = "concord.rejected";
    public static final String DLQ = "concord.dlq";

    /** A region's name: it prefixes the topics mirrored from it (MirrorMaker 2's {@code DefaultReplicationPolicy}). */
    public static final String REGION_RULE = "1 to 32 lowercase letters, digits or '-', starting with a letter";
    private static final java.util.regex.Pattern REGION = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private TopicNames() {
    }

    public static boolean isRegionName(String region) {
        return region != null && REGION.matcher(region).matches();
    }

    /**
     * The events of {@code region} as mirrored into another region's cluster (docs/multi-region.md):
     * {@code <region>.concord.events.<type>}, same partitions, same keys, same values.
     */
    public static String mirroredEvents(String region, String entityType) {
        return region + "." + events(entityType);
    }

    public static String events(String entityType) {
        return "concord.events." + entityType;
    }

    public static String state(String entityType) {
        return "concord.state." + entityType;
    }

    /** Whether a topic is some type's state topic ({@link #state}). */
    public static boolean isState(String topic) {
        return topic.startsWith("concord.state.");
    }
}
