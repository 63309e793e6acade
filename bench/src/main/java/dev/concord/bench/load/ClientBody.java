package dev.concord.bench.load;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.types.EntityType;

/**
 * What a client sends for a generated event, through the HTTP API or an outbox row: the whole entity as JSON for an
 * upsert, a merge patch of the changed fields for a patch, nothing for a delete.
 */
final class ClientBody {

    private ClientBody() {
    }

    /** @return the JSON body, or null for a DELETE */
    static ObjectNode of(EntityEvent event, EntityType type, PayloadCodec payloads) {
        if (event.getOp() == Operation.DELETE) {
            return null;
        }
        ObjectNode entity = AvroToJson.toJson(payloads.decode(event.getPayload(), type.schema()));
        if (event.getOp() != Operation.PATCH) {
            return entity;
        }
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        event.getChangedFields().forEach(field -> patch.set(field.toString(), entity.get(field.toString())));
        return patch;
    }
}
