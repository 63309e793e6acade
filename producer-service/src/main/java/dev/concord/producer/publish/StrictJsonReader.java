package dev.concord.producer.publish;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.json.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Reads a request body as exactly one JSON object, strictly, so that what is published is what the
 * client meant: duplicate field names and anything after the object are errors, not silently
 * resolved or ignored.
 *
 * <p>Output: the object, or an {@link InvalidBodyException} that says where (line, column, and
 * the field being read when known) and that a JSON object was expected.
 */
public final class StrictJsonReader {

    private static final String EXPECTED = "a JSON object";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private StrictJsonReader() {
    }

    public static ObjectNode readObject(String body) {
        JsonNode node = readTree(body, EXPECTED);
        if (node instanceof ObjectNode object) {
            return object;
        }
        String kind = node.getNodeType().name().toLowerCase(Locale.ROOT);
        throw new InvalidBodyException("The request body is a JSON " + kind + "; expected " + EXPECTED
                + " with the entity's fields.", new Violation("", EXPECTED, kind + " " + abbreviate(node.toString())), false);
    }

    /** A batch body: exactly one JSON array. */
    public static ArrayNode readArray(String body) {
        String expected = "a JSON array of events";
        JsonNode node = readTree(body, expected);
        if (node instanceof ArrayNode array) {
            return array;
        }
        String kind = node.getNodeType().name().toLowerCase(Locale.ROOT);
        throw new InvalidBodyException("The request body is a JSON " + kind + "; expected " + expected
                + ", e.g. [{\"op\": \"UPSERT\", \"type\": \"customer\", \"id\": \"c-1\", \"data\": {...}}].",
                new Violation("", expected, kind + " " + abbreviate(node.toString())), false, "array");
    }

    private static JsonNode readTree(String body, String expected) {
        if (body == null || body.isBlank()) {
            throw new InvalidBodyException("The request body is empty; expected " + expected + ".",
                    new Violation("", expected, "nothing"), true);
        }
        try (JsonParser parser = JSON.createParser(body)) {
            JsonNode node = JSON.readTree(parser);
            if (parser.nextToken() != null) {
                throw trailingContent(parser.currentTokenLocation());
            }
            return node;
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a String cannot fail", e);
        }
    }

    private static InvalidBodyException malformed(JsonProcessingException e) {
        String pointer = pointerWhereParsingStopped(e);
        String where = "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                + (pointer.isEmpty() ? "" : " (in " + new Violation(pointer, "", "").field() + ")");
        String reason = e.getOriginalMessage();
        return new InvalidBodyException("The request body is not valid JSON at " + where + ": " + reason
                + "; expected " + EXPECTED + ".", new Violation(pointer, EXPECTED, "invalid JSON at " + where), true);
    }

    private static InvalidBodyException trailingContent(JsonLocation location) {
        String where = "line " + location.getLineNr() + ", column " + location.getColumnNr();
        return new InvalidBodyException("The request body has more content after the JSON object, at " + where
                + "; expected a single JSON object.", new Violation("", EXPECTED, "more content at " + where), true);
    }

    /** The JSON Pointer of the value being read when parsing failed; empty if at the top level or unknown. */
    private static String pointerWhereParsingStopped(JsonProcessingException e) {
        if (e.getProcessor() instanceof JsonParser parser) {
            JsonStreamContext context = parser.getParsingContext();
            if (context != null) {
                return context.pathAsPointer().toString();
            }
        }
        return "";
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }
}
