package dev.concord.consumer.api;

import dev.concord.consumer.config.ReplicatedTypes;
import java.util.Arrays;
import java.util.List;

/**
 * The parameters every feed takes, checked once: the cursor and the types. An invalid parameter is a
 * {@link InvalidFeedRequest} naming it, answered as a problem (HTTP) or an error message (WebSocket).
 */
record FeedRequest(long after, List<String> types) {

    /** A feed parameter the client must fix. */
    static final class InvalidFeedRequest extends RuntimeException {
        final String field;
        final String expected;
        final String actual;
        final boolean unknownType;

        InvalidFeedRequest(String field, String expected, String actual, boolean unknownType) {
            super("'" + field + "' must be " + expected + ", was " + actual);
            this.field = field;
            this.expected = expected;
            this.actual = actual;
            this.unknownType = unknownType;
        }
    }

    /**
     * @param typesCsv comma-separated names, or null/blank for every type this replica serves
     */
    static FeedRequest of(ReplicatedTypes replicated, Long after, String typesCsv) {
        if (after != null && after < 0) {
            throw new InvalidFeedRequest("after", "a change_seq >= 0", String.valueOf(after), false);
        }
        List<String> types = typesCsv == null ? List.of()
                : Arrays.stream(typesCsv.split(",")).map(String::trim).filter(t -> !t.isEmpty()).distinct().toList();
        return of(replicated, after == null ? 0 : after, types);
    }

    static FeedRequest of(ReplicatedTypes replicated, long after, List<String> types) {
        for (String type : types) {
            if (replicated.find(type).isEmpty()) {
                throw new InvalidFeedRequest("types", "one of " + String.join(", ", replicated.names()), type, true);
            }
        }
        return new FeedRequest(after, List.copyOf(types));
    }
}
