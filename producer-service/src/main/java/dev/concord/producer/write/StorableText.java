package dev.concord.producer.write;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.contract.json.PayloadValidationException;
import dev.concord.contract.json.Violation;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Refuses text that PostgreSQL cannot store, at the door: U+0000 in any string of a payload — values and
 * field names (map keys) at any depth, in nested records and arrays. {@code jsonb} refuses {@code \u0000}
 * and {@code text} refuses NUL bytes, so such a write, once accepted, would stop a replica's batch on
 * every retry. Its neighbour too: an unpaired surrogate ({@code "\uD800"} is valid JSON) has no UTF-8
 * form, and Avro's encoder would silently store {@code ?} instead. Every offending place is named (422,
 * as {@link InvalidPayloadException}).
 */
public final class StorableText {

    static final String EXPECTED = "text without U+0000 or unpaired surrogates (PostgreSQL cannot store them)";

    private StorableText() {
    }

    /** @throws InvalidPayloadException listing every string or name holding U+0000 */
    public static void requireStorable(String typeName, JsonNode payload) {
        List<Violation> violations = new ArrayList<>();
        collect(payload, "", violations);
        if (!violations.isEmpty()) {
            throw new InvalidPayloadException(typeName, new PayloadValidationException(violations));
        }
    }

    /** What in {@code text} cannot be stored, e.g. {@code U+0000 at index 3}; empty when all can. */
    static Optional<String> unstorable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return Optional.of("U+0000 at index " + i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of(String.format("an unpaired surrogate U+%04X at index %d", (int) c, i));
            }
        }
        return Optional.empty();
    }

    private static void collect(JsonNode node, String pointer, List<Violation> violations) {
        if (node.isTextual()) {
            unstorable(node.textValue()).ifPresent(found -> violations.add(new Violation(pointer, EXPECTED, "a string with " + found)));
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                String name = member.getKey();
                String child = pointer + "/" + name.replace("~", "~0").replace("/", "~1");
                unstorable(name).ifPresent(found -> violations.add(new Violation(child, EXPECTED, "a field name with " + found)));
                collect(member.getValue(), child, violations);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), pointer + "/" + i, violations);
            }
        }
    }
}
