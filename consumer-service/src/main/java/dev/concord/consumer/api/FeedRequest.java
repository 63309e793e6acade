package dev.concord.consumer.api;

import dev.concord.consumer.store.FeedCursor;
import dev.concord.replica.ReplicatedTypes;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The parameters every feed takes, checked once: the cursor (a seq and, optionally, the store it belongs
 * to) and the types. An invalid parameter is a {@link InvalidFeedRequest} naming it, answered as a problem
 * (HTTP) or an error message (WebSocket).
 */
record FeedRequest(FeedCursor cursor, List<String> types) {

    /** A store id as this replica hands them out (see {@code V3__store_identity.sql}); anything else is refused. */
    private static final Pattern STORE_ID = Pattern.compile("[0-9a-f]{1,64}");

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

    long after() {
        return cursor.seq();
    }

    /**
     * @param typesCsv comma-separated names, or null/blank for every type this replica serves
     * @param store    the store the cursor was issued by, or null when the client does not say
     */
    static FeedRequest of(ReplicatedTypes replicated, Long after, String store, String typesCsv) {
        List<String> types = typesCsv == null ? List.of()
                // strip(), not trim(): trim() would also remove control characters, turning "types=%00" into "every type"
                : Arrays.stream(typesCsv.split(",")).map(String::strip).filter(t -> !t.isEmpty()).distinct().toList();
        return of(replicated, after == null ? 0 : after, store, types);
    }

    static FeedRequest of(ReplicatedTypes replicated, long after, String store, List<String> types) {
        if (after < 0) {
            throw new InvalidFeedRequest("after", "a change_seq >= 0", String.valueOf(after), false);
        }
        if (store != null && !STORE_ID.matcher(store).matches()) {
            throw new InvalidFeedRequest("store", "a store id as this replica returns it (hex digits)", store, false);
        }
        return new FeedRequest(new FeedCursor(store, after), List.copyOf(types));
    }

    /**
     * This request, once every type it names is one the replica applies. Checked after the caller's read grants
     * ({@code ReadAccess.authorize}): the refusal lists the declared types, which a caller who may not read the type it
     * named must not learn.
     */
    FeedRequest declared(ReplicatedTypes replicated) {
        for (String type : types) {
            if (replicated.find(type).isEmpty()) {
                throw new InvalidFeedRequest("types", "one of " + String.join(", ", replicated.names()), type, true);
            }
        }
        return this;
    }
}
