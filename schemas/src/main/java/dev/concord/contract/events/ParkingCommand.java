package dev.concord.contract.events;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * An operator's decision about a parked entity (docs/contract.md, "Parked entities"), sent on the type's events topic
 * like an event of the entity (keyed by its id, so it reaches the task that holds it): a record with the header
 * {@value #HEADER} and no value. {@code release} tries the poisoned event again, then the held ones; {@code skip}
 * leaves the poisoned event in the dead-letter topic and applies the held ones. The header is what makes it a
 * command: a record carrying it is never folded as an event.
 */
public final class ParkingCommand {

    public static final String HEADER = "concord-parking";

    public enum Action {
        RELEASE, SKIP;

        public String headerValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Action> fromHeaderValue(String value) {
            for (Action action : values()) {
                if (action.headerValue().equals(value)) {
                    return Optional.of(action);
                }
            }
            return Optional.empty();
        }
    }

    private ParkingCommand() {
    }

    public static Header header(Action action) {
        return new RecordHeader(HEADER, action.headerValue().getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the record carries the header at all (a command, possibly with an action this version does not know). */
    public static boolean isCommand(Headers headers) {
        return headers.lastHeader(HEADER) != null;
    }

    /** The action a record's headers ask for; empty for an ordinary event and for an action not known here. */
    public static Optional<Action> actionOf(Headers headers) {
        Header header = headers.lastHeader(HEADER);
        return header == null || header.value() == null ? Optional.empty()
                : Action.fromHeaderValue(new String(header.value(), StandardCharsets.UTF_8));
    }
}
