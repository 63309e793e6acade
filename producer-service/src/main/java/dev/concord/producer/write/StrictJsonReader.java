package dev.concord.producer.write;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.json.Violation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads a request body as exactly one JSON object, strictly, so that what is published is what the
 * client meant: duplicate field names and anything after the object are errors, not silently
 * resolved or ignored.
 *
 * <p>The parser's limits are explicit ({@link #MAX_NESTING_DEPTH}, {@link #MAX_NUMBER_LENGTH},
 * {@link #MAX_NAME_LENGTH}): hostile input (20,000 nested arrays, a 6,000-digit number) stops at the
 * limit with a 400 naming it, in time proportional to the limit, instead of reaching the code that
 * converts JSON to Avro. No Avro schema Concord publishes nests anywhere near 64 levels, and no Avro
 * number (long, double) needs more than a few dozen characters.
 *
 * <p>Output: the object, or an {@link InvalidBodyException} that says where (line, column, and
 * the field being read when known) and what was expected.
 */
public final class StrictJsonReader {

    /** Objects and arrays nested deeper than this are refused (a batch item's data sits 2 levels down). */
    public static final int MAX_NESTING_DEPTH = 64;
    /** Characters of one number literal: a long has at most 20, a double in any notation a few more. */
    public static final int MAX_NUMBER_LENGTH = 100;
    /** Characters of one field name (record fields are short; map keys are what a client sends). */
    public static final int MAX_NAME_LENGTH = 10_000;

    private static final String EXPECTED = "a JSON object";
    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxNameLength(MAX_NAME_LENGTH)
            .build();
    private static final ObjectMapper JSON = boundedMapper(true);

    private StrictJsonReader() {
    }

    /**
     * A mapper with this reader's limits, for every JSON producer-service reads (request bodies, outbox
     * payloads, captured rows), so no source can make the parser recurse or compute without bound.
     */
    public static ObjectMapper boundedMapper(boolean strictDuplicates) {
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(LIMITS).build();
        JsonMapper.Builder builder = JsonMapper.builder(factory);
        if (strictDuplicates) {
            builder.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        }
        return builder.build();
    }

    public static ObjectNode readObject(String body) {
        return readObject(body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    /** The body as sent: read as bytes, so invalid UTF-8 is a 400 rather than silently replaced by U+FFFD. */
    public static ObjectNode readObject(byte[] body) {
        JsonNode node = readTree(body, EXPECTED);
        if (node instanceof ObjectNode object) {
            return object;
        }
        String kind = node.getNodeType().name().toLowerCase(Locale.ROOT);
        throw new InvalidBodyException("The request body is a JSON " + kind + "; expected " + EXPECTED
                + " with the entity's fields.", new Violation("", EXPECTED, kind + " " + abbreviate(node.toString())),
                InvalidBodyException.Kind.WRONG_KIND);
    }

    /** A batch body: exactly one JSON array. */
    public static ArrayNode readArray(byte[] body) {
        String expected = "a JSON array of events";
        JsonNode node = readTree(body, expected);
        if (node instanceof ArrayNode array) {
            return array;
        }
        String kind = node.getNodeType().name().toLowerCase(Locale.ROOT);
        throw new InvalidBodyException("The request body is a JSON " + kind + "; expected " + expected
                + ", e.g. [{\"op\": \"UPSERT\", \"type\": \"customer\", \"id\": \"c-1\", \"data\": {...}}].",
                new Violation("", expected, kind + " " + abbreviate(node.toString())), InvalidBodyException.Kind.WRONG_KIND, "array");
    }

    private static JsonNode readTree(byte[] body, String expected) {
        if (body == null || isBlank(body)) {
            throw new InvalidBodyException("The request body is empty; expected " + expected + ".",
                    new Violation("", expected, "nothing"), InvalidBodyException.Kind.SYNTAX);
        }
        int nul = indexOfNul(body);
        if (nul >= 0) {
            // JSON travels in UTF-8 (RFC 8259), where a JSON text holds no NUL byte; UTF-16 and UTF-32 text always does
            // (every JSON text starts with an ASCII character). Refused here, before the parser guesses another encoding.
            throw new InvalidBodyException("The request body holds a NUL byte at byte " + nul + ": it is not UTF-8 JSON"
                    + " (UTF-16, UTF-32 or binary data?); expected " + expected + " in UTF-8.",
                    new Violation("", expected + " in UTF-8", "a NUL byte at byte " + nul), InvalidBodyException.Kind.SYNTAX);
        }
        try (JsonParser parser = JSON.createParser(body)) {
            try {
                JsonNode node = JSON.readTree(parser);
                if (parser.nextToken() != null) {
                    throw trailingContent(parser.currentTokenLocation());
                }
                return node;
            } catch (StreamConstraintsException e) {
                throw overLimit(e, parser);
            } catch (JsonProcessingException e) {
                throw malformed(e, parser);
            }
        } catch (IOException e) {
            // Not a JSON error and not an I/O one (the body is in memory): bytes the parser could not decode as text.
            throw new InvalidBodyException("The request body cannot be read as text: " + e.getMessage() + "; expected "
                    + expected + " in UTF-8.", new Violation("", expected + " in UTF-8", "bytes that are not UTF-8 text"),
                    InvalidBodyException.Kind.SYNTAX);
        }
    }

    private static int indexOfNul(byte[] body) {
        for (int i = 0; i < body.length; i++) {
            if (body[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static InvalidBodyException malformed(JsonProcessingException e, JsonParser parser) {
        String pointer = pointer(parser);
        String where = where(e, parser) + (pointer.isEmpty() ? "" : " (in " + new Violation(pointer, "", "").field() + ")");
        return new InvalidBodyException("The request body is not valid JSON at " + where + ": " + e.getOriginalMessage()
                + "; expected " + EXPECTED + ".", new Violation(pointer, EXPECTED, "invalid JSON at " + where),
                InvalidBodyException.Kind.SYNTAX);
    }

    /** A parser limit was hit: say which limit, where, and what the body may hold instead. */
    private static InvalidBodyException overLimit(StreamConstraintsException e, JsonParser parser) {
        String where = where(e, parser);
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        String expected;
        String actual;
        String pointer;
        if (message.contains("Depth")) {
            expected = "objects and arrays nested at most " + MAX_NESTING_DEPTH + " levels deep";
            actual = "deeper nesting at " + where;
            pointer = ""; // the pointer of a too deep value is itself too long to be useful
        } else if (message.contains("Number")) {
            expected = "a number of at most " + MAX_NUMBER_LENGTH + " characters";
            actual = "a longer number at " + where;
            pointer = pointer(parser);
        } else if (message.contains("Name")) {
            expected = "a field name of at most " + MAX_NAME_LENGTH + " characters";
            actual = "a longer field name at " + where;
            pointer = "";
        } else {
            expected = "JSON within the parser's limits";
            actual = "JSON over a limit at " + where;
            pointer = "";
        }
        return new InvalidBodyException("The request body exceeds a JSON limit at " + where + "; expected " + expected + ".",
                new Violation(pointer, expected, actual), InvalidBodyException.Kind.OVER_LIMIT);
    }

    /** Line and column; a constraint violation carries no location of its own, so ask the parser. */
    private static String where(JsonProcessingException e, JsonParser parser) {
        JsonLocation location = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
        return location == null ? "an unknown position"
                : "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static InvalidBodyException trailingContent(JsonLocation location) {
        String where = "line " + location.getLineNr() + ", column " + location.getColumnNr();
        return new InvalidBodyException("The request body has more content after the JSON object, at " + where
                + "; expected a single JSON object.", new Violation("", EXPECTED, "more content at " + where),
                InvalidBodyException.Kind.SYNTAX);
    }

    /** The JSON Pointer of the value being read when parsing stopped; empty if at the top level or unknown. */
    private static String pointer(JsonParser parser) {
        JsonStreamContext context = parser.getParsingContext();
        return context == null ? "" : context.pathAsPointer().toString();
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }
}
