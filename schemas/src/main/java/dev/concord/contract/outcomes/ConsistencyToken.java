package dev.concord.contract.outcomes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.types.EntityType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What a reader must already reflect to show a client its own writes (docs/consistency.md): a list of entity writes,
 * each known by its event id (a 202: not decided yet) or by the entity version that reflects its decision (an outcome).
 *
 * <p>Text form: {@code ct1.} + base64url (no padding) of a JSON array of {@code [type, id, "e:<eventId>" | "v:<version>"]}.
 * Opaque to clients, who pass it back as it came; several tokens, comma-separated, make one (a session). Not signed:
 * a forged token can only make its own reader wait, never show it anything it may not read.
 */
public final class ConsistencyToken {

    public static final int MAX_TEXT_LENGTH = 16_384;
    public static final int MAX_WRITES = 256;
    public static final String RULE = "one or more tokens as producer-service returned them (consistencyToken), comma-separated,"
            + " together at most " + MAX_WRITES + " writes";

    private static final String PREFIX = "ct1.";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One write: {@code eventId} set and {@code version} -1 until decided; then the version that reflects it. */
    public record Write(String type, String entityId, String eventId, long version) {

        public static Write undecided(String type, String entityId, String eventId) {
            return new Write(type, entityId, eventId, -1);
        }

        public static Write decided(String type, String entityId, long version) {
            return new Write(type, entityId, null, version);
        }

        public boolean isDecided() {
            return eventId == null;
        }
    }

    private final List<Write> writes;

    private ConsistencyToken(Collection<Write> writes) {
        this.writes = List.copyOf(new LinkedHashSet<>(writes));
    }

    public static ConsistencyToken of(Collection<Write> writes) {
        return new ConsistencyToken(writes);
    }

    /** The token for a write once decided: any reader at this entity version or later reflects it. */
    public static ConsistencyToken of(WriteOutcome outcome) {
        return new ConsistencyToken(List.of(Write.decided(outcome.entityType(), outcome.entityId(), outcome.version())));
    }

    public List<Write> writes() {
        return writes;
    }

    public String text() {
        ArrayNode array = JSON.createArrayNode();
        for (Write write : writes) {
            array.addArray().add(write.type()).add(write.entityId())
                    .add(write.isDecided() ? "v:" + write.version() : "e:" + write.eventId());
        }
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(array.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return text();
    }

    /**
     * Reads a header value strictly: one or more tokens, comma-separated.
     *
     * @throws IllegalArgumentException naming what is wrong, for a 400
     */
    public static ConsistencyToken parse(String header) {
        if (header == null || header.isBlank() || header.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException(header == null || header.isBlank() ? "no token" : "longer than " + MAX_TEXT_LENGTH + " characters");
        }
        Set<Write> writes = new LinkedHashSet<>();
        for (String part : header.split(",", -1)) {
            writes.addAll(parseOne(part.trim()));
            if (writes.size() > MAX_WRITES) {
                throw new IllegalArgumentException("more than " + MAX_WRITES + " writes");
            }
        }
        return new ConsistencyToken(writes);
    }

    private static List<Write> parseOne(String token) {
        if (!token.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a token starts with '" + PREFIX + "'");
        }
        JsonNode array;
        try {
            array = JSON.readTree(Base64.getUrlDecoder().decode(token.substring(PREFIX.length())));
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException("not a token producer-service issued (undecodable)");
        }
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new IllegalArgumentException("not a token producer-service issued (no writes)");
        }
        List<Write> writes = new ArrayList<>();
        for (JsonNode entry : array) {
            writes.add(write(entry));
        }
        return writes;
    }

    private static Write write(JsonNode entry) {
        if (!entry.isArray() || entry.size() != 3 || !entry.get(0).isTextual() || !entry.get(1).isTextual() || !entry.get(2).isTextual()) {
            throw new IllegalArgumentException("not a token producer-service issued (malformed write)");
        }
        String type = entry.get(0).asText();
        String id = entry.get(1).asText();
        String at = entry.get(2).asText();
        if (!EntityType.isValidName(type) || !EntityIdGrammar.isValid(id)) {
            throw new IllegalArgumentException("not a token producer-service issued (bad entity)");
        }
        try {
            if (at.startsWith("v:")) {
                long version = Long.parseLong(at.substring(2));
                if (version >= 0) {
                    return Write.decided(type, id, version);
                }
            } else if (at.startsWith("e:")) {
                return Write.undecided(type, id, UUID.fromString(at.substring(2)).toString());
            }
        } catch (IllegalArgumentException e) {
            // falls through to the refusal
        }
        throw new IllegalArgumentException("not a token producer-service issued (bad version or event id)");
    }
}
