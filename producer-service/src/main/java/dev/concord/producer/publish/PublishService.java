package dev.concord.producer.publish;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EventSource;
import dev.concord.contract.clock.HybridLogicalClock;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.json.JsonToAvro;
import dev.concord.contract.json.PayloadValidationException;
import dev.concord.contract.types.EntityType;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns a client's write into one {@link EntityEvent} and publishes it.
 *
 * <p>Input: entity type name, entity id, the raw JSON body and a request id. Everything is checked
 * before anything is sent — type declared, id valid, body a JSON object, object valid against the
 * type's Avro schema — so a refused write publishes nothing. Output: a future of the acknowledged
 * event; the only failure after validation is {@link PublishFailedException}.
 *
 * <p>Each accepted write is a full replacement (UPSERT) stamped with this writer's hybrid logical
 * clock and writer id, which sync-processor uses to order concurrent writes.
 */
@Singleton
public class PublishService {

    static final String SERVICE_NAME = "producer-service";

    private final ConcordContract contract;
    private final HybridLogicalClock clock;
    private final EventPublisher publisher;
    private final String writerId;

    public PublishService(ConcordContract contract, HybridLogicalClock clock, EventPublisher publisher,
                          @Value("${concord.writer-id}") String writerId) {
        this.contract = contract;
        this.clock = clock;
        this.publisher = publisher;
        this.writerId = writerId;
    }

    /**
     * @throws UnknownEntityTypeException if the type is not declared
     * @throws InvalidEntityIdException   if the id breaks {@link EntityIds#RULE}
     * @throws InvalidBodyException       if the body is not a JSON object
     * @throws InvalidPayloadException    if the object does not fit the type's schema
     */
    public CompletableFuture<PublishedEvent> upsert(String typeName, String entityId, String jsonBody, String requestId) {
        EntityType type = contract.types().find(typeName)
                .orElseThrow(() -> new UnknownEntityTypeException(typeName, contract.types().names()));
        EntityIds.requireValid(entityId);
        byte[] payload = contract.payloads().encode(toRecord(type, StrictJsonReader.readObject(jsonBody)));
        EntityEvent event = EntityEvents.upsert(UUID.randomUUID(), type.name(), entityId, payload,
                clock.now(), writerId, sourceOf(requestId));
        return publisher.publish(contract.topics().events(type), event);
    }

    private static GenericRecord toRecord(EntityType type, ObjectNode json) {
        try {
            return JsonToAvro.convert(json, type.schema());
        } catch (PayloadValidationException e) {
            throw new InvalidPayloadException(type.name(), e);
        }
    }

    private static EventSource sourceOf(String requestId) {
        return EventSource.newBuilder(EntityEvents.source(SERVICE_NAME)).setRequestId(requestId).build();
    }
}
