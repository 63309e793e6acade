package dev.concord.producer.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.events.ParkingCommand;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.text.LogSafe;
import dev.concord.producer.write.RequestRefused;
import dev.concord.producer.write.StrictJsonReader;
import java.util.Locale;
import java.util.Optional;

/**
 * An operator's decision about a parked entity: {@code {"id": "o-1", "action": "release"}} or {@code "skip"}. Anything
 * else is a 400 naming the field.
 */
record ParkingRequestBody(String id, ParkingCommand.Action action) {

    private static final String EXPECTED_ACTION = "\"release\" (try the poisoned event again, then the held ones) or"
            + " \"skip\" (leave it in the dead-letter topic, apply the held ones)";

    static ParkingRequestBody parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw RequestRefused.invalidField("(body)", "{\"id\": \"...\", \"action\": \"release\" | \"skip\"}", "no body");
        }
        ObjectNode json = StrictJsonReader.readObject(body);
        for (var names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("id") && !name.equals("action")) {
                throw RequestRefused.invalidField(LogSafe.of(name), "only 'id' and 'action'", "an unknown field");
            }
        }
        JsonNode id = json.get("id");
        Optional<EntityIdGrammar.Violation> invalid = id == null ? Optional.of(new EntityIdGrammar.Violation("missing", "nothing"))
                : id.isTextual() ? EntityIdGrammar.check(id.textValue())
                : Optional.of(new EntityIdGrammar.Violation("not a string", "a JSON " + id.getNodeType().name().toLowerCase(Locale.ROOT)));
        if (invalid.isPresent()) {
            throw RequestRefused.invalidField("id", "an entity id: " + EntityIdGrammar.RULE, invalid.get().found());
        }
        JsonNode action = json.get("action");
        Optional<ParkingCommand.Action> parsed = action != null && action.isTextual()
                ? ParkingCommand.Action.fromHeaderValue(action.textValue()) : Optional.empty();
        if (parsed.isEmpty()) {
            throw RequestRefused.invalidField("action", EXPECTED_ACTION,
                    action == null ? "nothing" : action.isTextual() ? "\"" + LogSafe.of(action.textValue()) + "\"" : action.toString());
        }
        return new ParkingRequestBody(id.textValue(), parsed.get());
    }
}
