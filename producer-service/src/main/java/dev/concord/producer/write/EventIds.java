package dev.concord.producer.write;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Event ids: random for ordinary writes; name-based (deterministic) where a retry must repeat the same event. */
public final class EventIds {

    public static final int MAX_KEY_LENGTH = 255;
    public static final String KEY_RULE = "1 to " + MAX_KEY_LENGTH + " visible ASCII characters";

    private EventIds() {
    }

    /**
     * A name-based UUID of client and key: the same client retrying with the same key gets the same
     * event id on any instance; two clients using the same key never collide.
     */
    public static UUID fromIdempotencyKey(String clientId, String key) {
        return UUID.nameUUIDFromBytes(("concord/idempotency/" + clientId.length() + ":" + clientId + "/" + key)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** A name-based UUID of any stable name (an outbox row, a change at a log position). */
    public static UUID fromName(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    public static boolean validKey(String key) {
        return key != null && !key.isEmpty() && key.length() <= MAX_KEY_LENGTH
                && key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }
}
