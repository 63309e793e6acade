package dev.concord.contract.events;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A request, on an events topic, that the processor publish an entity's current state again, unchanged (same version:
 * replicas that have it ignore it; docs/contract.md, "Replay requests"). A record with the header
 * {@value #HEADER} and no value: {@code entity} replays the entity the record's key names (produced like an event
 * of that key, so it lands on its partition); {@code partition} replays every entity whose events live on the
 * partition the record is written to (any key). The header is what makes it a request: a record carrying it is never
 * folded as an event, whatever its value.
 */
public final class ReplayRequest {

    public static final String HEADER = "concord-replay";

    public enum Scope {
        ENTITY, PARTITION;

        public String headerValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private ReplayRequest() {
    }

    public static Header header(Scope scope) {
        return new RecordHeader(HEADER, scope.headerValue().getBytes(StandardCharsets.UTF_8));
    }

    /** The scope of the request a record's headers make; empty for an ordinary event and for a scope not known here ({@link #isRequest}). */
    public static Optional<Scope> scopeOf(Headers headers) {
        Header header = headers.lastHeader(HEADER);
        if (header == null || header.value() == null) {
            return Optional.empty();
        }
        String value = new String(header.value(), StandardCharsets.UTF_8);
        for (Scope scope : Scope.values()) {
            if (scope.headerValue().equals(value)) {
                return Optional.of(scope);
            }
        }
        return Optional.empty();
    }

    /** Whether the record carries the header at all (a request, possibly with a scope this version does not know). */
    public static boolean isRequest(Headers headers) {
        return headers.lastHeader(HEADER) != null;
    }
}
