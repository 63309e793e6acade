package dev.concord.contract.topics;

/** Names of Concord's topics. Per entity type: an events topic and a compacted state topic. */
public final class TopicNames {

    public static final String SCHEMAS = "concord.schemas";
    public static final String CONFLICTS = "concord.conflicts";
    public static final String REJECTED = "concord.rejected";
    public static final String DLQ = "concord.dlq";

    private TopicNames() {
    }

    public static String events(String entityType) {
        return "concord.events." + entityType;
    }

    public static String state(String entityType) {
        return "concord.state." + entityType;
    }
}
