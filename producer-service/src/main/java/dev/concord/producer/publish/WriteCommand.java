package dev.concord.producer.publish;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.security.Client;

/**
 * One write as a client asked for it, before any check: from a single-entity request or one batch item.
 *
 * @param rawBody         the body as sent (single-entity requests), parsed strictly by the service; or null
 * @param jsonBody        the already parsed {@code data}/{@code patch} of a batch item; or null
 * @param expectedVersion from {@code If-Match}: apply only if the entity is at this version (optimistic types)
 * @param idempotencyKey  from {@code Idempotency-Key}: makes the event id deterministic per client and key
 * @param serverFields    clock and writer supplied by the client; allowed only for trusted writers
 * @param bodyField       how the body is called in errors: {@code (body)}, or {@code data}/{@code patch} in a batch
 */
public record WriteCommand(Operation op, String type, String id, byte[] rawBody, JsonNode jsonBody, Long expectedVersion,
                           String idempotencyKey, ServerFields serverFields, Client client, String requestId, String bodyField) {

    /** How the expected version is named to this client: the header, or the batch item's field. */
    public String ifMatchField() {
        return "(body)".equals(bodyField) ? RequestHeaders.IF_MATCH : "ifMatch";
    }

    /** Server-owned fields a trusted writer supplies; each may be null. {@code source} names where they came from. */
    public record ServerFields(HlcTimestamp clock, String writer, String clockSource, String writerSource) {
        public boolean any() {
            return clock != null || writer != null;
        }
    }
}
