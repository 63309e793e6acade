package dev.concord.contract.topics;

/**
 * The bounds every state record on {@code concord.state.<type>} keeps, shared by the module that writes those records
 * (sync-processor) and the one that refuses, at the door, a write whose state could not be written
 * (producer-service's {@code PayloadLimits}): kept in one place so the two cannot drift apart.
 */
public final class StateRecordLimits {

    /**
     * The largest record (key, value and headers) Concord writes to any of its topics, by default
     * ({@code concord.sync.max-output-bytes}, {@code concord.limits.max-output-bytes}). Kafka's default
     * {@code max.message.bytes} is 1,048,588; this stays clear of it.
     */
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 1_000_000;

    /** The most event ids one entity's state remembers ({@code concord.sync.recent-event-ids} is capped at this). */
    public static final int MAX_RECENT_EVENT_IDS = 1_000;

    /** One remembered event id in {@code EntityState.recentEventIds}: its UUID's two longs, most significant first. */
    public static final int EVENT_ID_BYTES = 16;

    private StateRecordLimits() {
    }
}
