package dev.concord.producer.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EventSource;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.json.JsonToAvro;
import dev.concord.contract.json.PayloadValidationException;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import dev.concord.producer.clock.WriterClock;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.security.Client;
import dev.concord.security.Action;
import dev.concord.security.Grants;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns a client's write ({@link WriteCommand}: PUT, PATCH, DELETE or a batch item) into one
 * {@link EntityEvent} and publishes it.
 *
 * <p>Everything is checked before anything is sent — type declared, id valid, client granted the
 * operation on the type (403), server-owned fields only from trusted writers (403), body a JSON object
 * valid against the type's Avro schema (a merge patch: each patched field against its field schema), no
 * U+0000 in its text ({@link StorableText}, 422), its encoding within {@link PayloadLimits} (413) —
 * so a refused write publishes nothing. Output: a future of the acknowledged event's receipt; the only
 * failure after validation is {@link PublishFailedException}.
 *
 * <p>Each event is stamped with this instance's hybrid logical clock and writer id, which
 * sync-processor uses to order concurrent writes. With an {@code Idempotency-Key} the event id is
 * derived from client and key, and {@link IdempotencyCache} answers retries without sending.
 */
@Singleton
public class PublishService {

    static final String SERVICE_NAME = "producer-service";

    private final ConcordContract contract;
    private final WriterClock clock;
    private final EventPublisher publisher;
    private final IdempotencyCache idempotency;
    private final PayloadLimits limits;
    private final String writerId;
    private final long maxClockSkewMillis;

    public PublishService(ConcordContract contract, WriterClock clock, EventPublisher publisher, IdempotencyCache idempotency,
                          PayloadLimits limits, @Value("${concord.writer-id}") String writerId,
                          @Value("${concord.max-clock-skew:1m}") Duration maxClockSkew) {
        this.contract = contract;
        this.clock = clock;
        this.publisher = publisher;
        this.idempotency = idempotency;
        this.limits = limits;
        this.writerId = RequestHeaders.requireConfiguredWriter(writerId, "concord.writer-id");
        this.maxClockSkewMillis = maxClockSkew.toMillis();
    }

    /**
     * @throws RefusedException (synchronously) for every refusal found before sending: unknown type,
     *                          invalid id, missing grant, invalid body or payload, reused idempotency key
     */
    public CompletableFuture<PublishOutcome> publish(WriteCommand command) {
        EntityType type = contract.types().find(command.type())
                .orElseThrow(() -> new UnknownEntityTypeException(command.type(), contract.types().names()));
        InvalidEntityIdException.requireValid(command.id());
        authorize(command);
        Prepared prepared = prepare(type, command);
        if (command.idempotencyKey() == null) {
            return send(type, command, prepared, UUID.randomUUID()).thenApply(accepted -> new PublishOutcome(accepted, false));
        }
        UUID eventId = EventIds.fromIdempotencyKey(command.client().id(), command.idempotencyKey());
        return idempotency.publishOnce(eventId, command.idempotencyKey(), fingerprint(command, prepared),
                () -> send(type, command, prepared, eventId));
    }

    private void authorize(WriteCommand command) {
        Client client = command.client();
        Action action = command.op() == Operation.DELETE ? Action.DELETE : Action.WRITE;
        if (!client.grants().allows(command.type(), action)) {
            String needed = Grants.needed(command.type(), action);
            throw new NotPermittedException(client.id(), needed, "type",
                    "Client '" + client.id() + "' may not " + action.grantName() + " " + command.type()
                            + " entities; it needs the grant " + needed + " (or " + command.type() + ":* or *:*).");
        }
        WriteCommand.ServerFields fields = command.serverFields();
        if (fields != null && fields.any() && !client.grants().trustedWriter()) {
            String field = fields.clock() != null ? fields.clockSource() : fields.writerSource();
            throw new NotPermittedException(client.id(), Grants.TRUSTED_WRITER, field,
                    "Client '" + client.id() + "' may not set " + field + ": clock and writer are server-owned and only"
                            + " clients granted " + Grants.TRUSTED_WRITER + " may supply them.");
        }
        if (fields != null && fields.clock() != null && fields.clock().physicalMillis() > clock.wallClockMillis() + maxClockSkewMillis) {
            throw RequestRefused.clockTooFarAhead(fields.clockSource(), fields.clock().toString(), maxClockSkewMillis);
        }
    }

    /**
     * The validated content of a write: the payload record and its single-object encoding (both null for
     * DELETE) and, for PATCH, the changed fields.
     */
    private record Prepared(GenericRecord record, byte[] payload, List<String> changedFields, String canonicalBody) {
    }

    private Prepared prepare(EntityType type, WriteCommand command) {
        if (command.expectedVersion() != null && type.policy() != MergePolicy.OPTIMISTIC) {
            throw RequestRefused.versionCheckNotSupported(type.name(), type.policy().id(), command.ifMatchField());
        }
        switch (command.op()) {
            case UPSERT: {
                ObjectNode json = body(type, command);
                GenericRecord record = toRecord(type, json);
                return new Prepared(record, encode(type, record, command), List.of(), json.toString());
            }
            case PATCH: {
                if (type.policy() != MergePolicy.FIELD_MERGE) {
                    throw RequestRefused.patchNotSupported(type.name(), type.policy().id());
                }
                ObjectNode json = body(type, command);
                MergePatches.Patch patch = MergePatches.toPatch(type, json);
                return new Prepared(patch.record(), encode(type, patch.record(), command), patch.changedFields(), json.toString());
            }
            case DELETE:
                return new Prepared(null, null, List.of(), "");
            default:
                throw new IllegalStateException("unknown operation " + command.op());
        }
    }

    /** The body as a JSON object holding only text PostgreSQL can store. */
    private static ObjectNode body(EntityType type, WriteCommand command) {
        ObjectNode object = command.jsonBody() == null ? StrictJsonReader.readObject(command.rawBody())
                : command.jsonBody() instanceof ObjectNode item ? item : null;
        if (object != null) {
            StorableText.requireStorable(type.name(), object);
            return object;
        }
        JsonNode node = command.jsonBody();
        throw RequestRefused.invalidItem(command.bodyField(), "a JSON object with the entity's fields",
                node.getNodeType().name().toLowerCase(Locale.ROOT));
    }

    /** The payload as published, refused when the processor could not carry it (413). */
    private byte[] encode(EntityType type, GenericRecord record, WriteCommand command) {
        byte[] payload = contract.payloads().encode(record);
        limits.requireFits(type, record, payload, command.bodyField());
        return payload;
    }

    private CompletableFuture<PublishAccepted> send(EntityType type, WriteCommand command, Prepared prepared, UUID eventId) {
        EntityEvent event = event(type, command, prepared, eventId);
        return publisher.publish(WriteMetrics.Source.HTTP, contract.topics().events(type), event).thenApply(PublishAccepted::of);
    }

    private EntityEvent event(EntityType type, WriteCommand command, Prepared prepared, UUID eventId) {
        WriteCommand.ServerFields fields = command.serverFields();
        HlcTimestamp at;
        if (fields != null && fields.clock() != null) {
            // A trusted writer's clock is published as given; observing it keeps this instance's later readings after it.
            clock.observe(fields.clock());
            at = fields.clock();
        } else {
            at = clock.now();
        }
        String writer = fields != null && fields.writer() != null ? fields.writer() : writerId;
        EventSource source = EventSource.newBuilder(EntityEvents.source(SERVICE_NAME)).setRequestId(command.requestId()).build();
        EntityEvent event;
        switch (command.op()) {
            case UPSERT:
                event = EntityEvents.upsert(eventId, type.name(), command.id(), prepared.payload(), at, writer, source);
                break;
            case PATCH:
                event = EntityEvents.patch(eventId, type.name(), command.id(), prepared.payload(), prepared.changedFields(),
                        at, writer, source);
                break;
            case DELETE:
                event = EntityEvents.delete(eventId, type.name(), command.id(), at, writer, source);
                break;
            default:
                throw new IllegalStateException("unknown operation " + command.op());
        }
        return command.expectedVersion() == null ? event : EntityEvents.expectingVersion(event, command.expectedVersion());
    }

    private static GenericRecord toRecord(EntityType type, ObjectNode json) {
        try {
            return JsonToAvro.convert(json, type.schema());
        } catch (PayloadValidationException e) {
            throw new InvalidPayloadException(type.name(), e);
        }
    }

    /** What makes two requests "the same" for an idempotency key: everything but the request id. */
    private static byte[] fingerprint(WriteCommand command, Prepared prepared) {
        WriteCommand.ServerFields fields = command.serverFields();
        String canonical = String.join("\u0000", command.op().name(), command.type(), command.id(), prepared.canonicalBody(),
                String.valueOf(command.expectedVersion()),
                fields == null ? "" : fields.clock() + "/" + fields.writer());
        try {
            return MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
