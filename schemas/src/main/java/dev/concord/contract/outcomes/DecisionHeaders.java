package dev.concord.contract.outcomes;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The two headers sync-processor sets on every state record it writes for an event (docs/contract.md, "Which write a
 * state record decided"), so that a reader learns each write's outcome from the state topic itself, with no record more:
 * {@value #DECIDED_EVENT} = the id of the event this state applied (under {@code field-merge} it need not be the
 * state's {@code lastEventId}: an older write can still win a field), and {@value #LOST_FIELDS} = the fields of that
 * event that lost, comma-separated, only when some did (the same transaction holds the {@code FIELDS} conflict record).
 * Replays and tombstone expiries carry neither. Values are UTF-8 text.
 */
public final class DecisionHeaders {

    public static final String DECIDED_EVENT = "concord-decided-event";
    public static final String LOST_FIELDS = "concord-lost-fields";

    private DecisionHeaders() {
    }

    /** Marks a state record as the decision of {@code eventId}, replacing whatever a writer's headers held under these names. */
    public static void mark(Headers headers, String eventId, List<String> lostFields) {
        headers.remove(DECIDED_EVENT);
        headers.remove(LOST_FIELDS);
        headers.add(DECIDED_EVENT, eventId.getBytes(StandardCharsets.UTF_8));
        if (!lostFields.isEmpty()) {
            headers.add(LOST_FIELDS, String.join(",", lostFields).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The event a state record decided; empty for a replay, an expiry, or a record from before these headers. */
    public static Optional<String> decidedEvent(Headers headers) {
        return text(headers.lastHeader(DECIDED_EVENT));
    }

    /** The decided event's fields that lost (empty when none did). */
    public static List<String> lostFields(Headers headers) {
        return text(headers.lastHeader(LOST_FIELDS)).map(value -> Arrays.asList(value.split(","))).orElse(List.of());
    }

    private static Optional<String> text(Header header) {
        return header == null || header.value() == null ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }
}
