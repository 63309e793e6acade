package dev.concord.processor.merge;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import org.apache.avro.generic.GenericRecord;

/**
 * A conflict-resolution rule: a pure, deterministic function of (current state, event). Applying
 * the same set of events in any order, with any duplicates, must converge to the same state
 * (versions aside: they count accepted changes, which depends on arrival order).
 */
public interface MergeRule {

    /** A new state's dedup memory until the processor fills it in (read-only, so sharing it is safe). */
    java.nio.ByteBuffer NO_EVENT_IDS = java.nio.ByteBuffer.allocate(0).asReadOnlyBuffer();

    /**
     * @param current     the entity's state, or {@code null} if the processor has never seen it
     * @param event       the incoming event for that entity
     * @param payload     the event's payload already decoded with the type's schema (the processor decodes
     *                    it once, to validate it), or {@code null}: a rule that needs it then decodes it
     * @param nowMillis   processing time, recorded as {@code updatedAt} only (never used to decide)
     */
    MergeDecision decide(EntityState current, EntityEvent event, GenericRecord payload, long nowMillis);

    /** For callers that hold only the envelope (tests, the benchmark's oracle). */
    default MergeDecision decide(EntityState current, EntityEvent event, long nowMillis) {
        return decide(current, event, null, nowMillis);
    }
}
