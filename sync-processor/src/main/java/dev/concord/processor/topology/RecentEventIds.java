package dev.concord.processor.topology;

import dev.concord.contract.avro.EntityState;
import dev.concord.contract.topics.StateRecordLimits;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * The dedup memory that lives inside each entity's state ({@code EntityState.recentEventIds}): the ids
 * of the last events decided for the entity, 16 bytes each, newest first, at most a fixed number.
 *
 * <p>Why here and not in a store of its own: events are keyed by entity id, so every copy of an event
 * reaches the same task as its entity, and the state is read and written for the event anyway. A
 * window store of event ids cost one more changelog write per event, and one more partition in every
 * transaction; this costs 16 bytes per remembered id in a write that happens regardless.
 */
final class RecentEventIds {

    private static final int ID_BYTES = StateRecordLimits.EVENT_ID_BYTES;

    private RecentEventIds() {
    }

    static boolean contains(EntityState state, UUID eventId) {
        if (state == null || state.getRecentEventIds() == null) {
            return false;
        }
        ByteBuffer ids = state.getRecentEventIds();
        for (int at = ids.position(); at + ID_BYTES <= ids.limit(); at += ID_BYTES) {
            if (ids.getLong(at) == eventId.getMostSignificantBits() && ids.getLong(at + Long.BYTES) == eventId.getLeastSignificantBits()) {
                return true;
            }
        }
        return false;
    }

    /** {@code eventId} first, then as many of the state's remembered ids as fit in {@code depth}. */
    static ByteBuffer remember(EntityState state, UUID eventId, int depth) {
        ByteBuffer previous = state == null || state.getRecentEventIds() == null
                ? ByteBuffer.allocate(0) : state.getRecentEventIds().duplicate();
        int kept = Math.min(previous.remaining() / ID_BYTES, depth - 1);
        ByteBuffer ids = ByteBuffer.allocate((kept + 1) * ID_BYTES);
        ids.putLong(eventId.getMostSignificantBits()).putLong(eventId.getLeastSignificantBits());
        previous.limit(previous.position() + kept * ID_BYTES);
        ids.put(previous);
        return ids.flip();
    }
}
