package dev.concord.producer.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.text.LogSafe;
import dev.concord.producer.write.RequestRefused;
import dev.concord.producer.write.StrictJsonReader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * What an operator asks to replay: {@code {"ids": ["c-1", ...]}} (1 to {@value #MAX_IDS} entity ids) or
 * {@code {"all": true}} (every entity of the type). Anything else is a 400 naming the field.
 *
 * @param ids the entities, without repeats; empty when {@code all}
 */
record ReplayRequestBody(List<String> ids, boolean all) {

    static final int MAX_IDS = 1_000;

    static ReplayRequestBody parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw RequestRefused.invalidField("(body)", "{\"ids\": [...]} or {\"all\": true}", "no body");
        }
        ObjectNode json = StrictJsonReader.readObject(body);
        for (var names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("ids") && !name.equals("all")) {
                throw RequestRefused.invalidField(LogSafe.of(name), "only 'ids' or 'all'", "an unknown field");
            }
        }
        JsonNode ids = json.get("ids");
        JsonNode all = json.get("all");
        if ((ids == null) == (all == null)) {
            throw RequestRefused.invalidField("ids", "either 'ids' or 'all', not both and not neither",
                    ids == null ? "neither" : "both");
        }
        if (all != null) {
            if (!all.isBoolean() || !all.booleanValue()) {
                throw RequestRefused.invalidField("all", "true", all.toString());
            }
            return new ReplayRequestBody(List.of(), true);
        }
        if (!ids.isArray() || ids.isEmpty() || ids.size() > MAX_IDS) {
            throw RequestRefused.invalidField("ids", "an array of 1 to " + MAX_IDS + " entity ids",
                    ids.isArray() ? ids.size() + " items" : "a JSON " + ids.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            Optional<EntityIdGrammar.Violation> invalid = id.isTextual() ? EntityIdGrammar.check(id.textValue())
                    : Optional.of(new EntityIdGrammar.Violation("not a string", "a JSON " + id.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
            if (invalid.isPresent()) {
                throw RequestRefused.invalidField("ids/" + i, "an entity id: " + EntityIdGrammar.RULE, invalid.get().found());
            }
            unique.add(id.textValue());
        }
        return new ReplayRequestBody(new ArrayList<>(unique), false);
    }
}
