package dev.concord.producer.publish;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EventSource;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.problem.Problem;
import dev.concord.contract.settings.Settings;
import dev.concord.contract.types.EntityType;
import dev.concord.producer.clock.WriterClock;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.EventIds;
import dev.concord.producer.write.EventPublisher;
import dev.concord.producer.write.PublishFailedException;
import dev.concord.producer.write.RefusedException;
import dev.concord.producer.write.RequestRefused;
import dev.concord.producer.write.StrictJsonReader;
import dev.concord.producer.write.WriterIds;
import dev.concord.security.Action;
import dev.concord.security.Client;
import dev.concord.security.Grants;
import io.micronaut.context.annotation.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Turns a client's write ({@link WriteCommand}: PUT, PATCH, DELETE or a batch item) into one
 * {@link EntityEvent} and publishes it.
 *
 * <p>Everything is checked before anything is sent — type declared, id valid, client granted the
 * operation on the type (403), server-owned fields only from trusted writers (403), body a JSON object
 * valid against the type's Avro schema and the rest of the rules every door shares ({@link EventFactory}) —
 * so a refused write publishes nothing. Output: a future of the acknowledged event's receipt; the only
 * failure after validation is {@link PublishFailedException}.
 *
 * <p>Each event is stamped with this instance's hybrid logical clock and writer id, which
 * sync-processor uses to order concurrent writes. With an {@code Idempotency-Key} the event id is
 * derived from client and key, and {@link IdempotencyCache} answers retries without sending.
 */
// Eager: its settings are checked at start-up, not at the first request.
@Context
public class PublishService {

    static final String SERVICE_NAME = "producer-service";

    private final ConcordContract contract;
    private final WriterClock clock;
    private final EventPublisher publisher;
    private final IdempotencyCache idempotency;
    private final EventFactory events;
    private final String writerId;
    private final long maxClockSkewMillis;
    // This region's name in a multi-region deployment (docs/multi-region.md); null in a single region.
    private final String region;

    public PublishService(ConcordContract contract, WriterClock clock, EventPublisher publisher, IdempotencyCache idempotency,
                          EventFactory events, Settings settings) {
        this.contract = contract;
        this.clock = clock;
        this.publisher = publisher;
        this.idempotency = idempotency;
        this.events = events;
        this.writerId = WriterIds.configured(settings);
        this.maxClockSkewMillis = settings.duration("concord.max-clock-skew", Duration.ofMinutes(1)).toMillis();
        this.region = settings.optionalText("concord.region").map(String::trim).filter(name -> !name.isEmpty()).orElse(null);
    }

    /**
     * @throws RefusedException (synchronously) for every refusal found before sending: unknown type,
     *                          invalid id, missing grant, invalid body or payload, reused idempotency key
     */
    public CompletableFuture<PublishOutcome> publish(WriteCommand command) {
        // The grant first (by the type's name, declared or not), then type and id: a client learns nothing of the declared
        // types, nor of a body it may not write.
        authorize(command);
        EntityType type = events.requireAddress(command.type(), command.id());
        if (region != null && !type.appliesWritesOf(region)) {
            throw new RequestRefused(421, Problem.of("wrong-region", "Write in the type's home region", 421,
                    "Entity type '" + type.name() + "' takes writes in its home region '" + type.home() + "' only; this is region '"
                            + region + "'. Send the write to producer-service in '" + type.home() + "' (docs/multi-region.md).",
                    List.of(new Problem.FieldError("type", null, "a type this region takes writes for", "\"" + type.name() + "\""))),
                    Map.of());
        }
        EventFactory.Prepared prepared = events.prepare(type, new EventFactory.Write(command.op(), command.type(), command.id(),
                command.op() == Operation.DELETE ? null : body(command), null, command.expectedVersion(), command.bodyField(),
                command.ifMatchField()));
        if (command.idempotencyKey() == null) {
            return send(command, prepared, UUID.randomUUID()).thenApply(accepted -> new PublishOutcome(accepted, false));
        }
        UUID eventId = EventIds.fromIdempotencyKey(command.client().id(), command.idempotencyKey());
        return idempotency.publishOnce(eventId, command.idempotencyKey(), fingerprint(command, prepared),
                () -> send(command, prepared, eventId));
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

    /** The body as a JSON object (the factory checks what it holds). */
    private static ObjectNode body(WriteCommand command) {
        if (command.jsonBody() == null) {
            return StrictJsonReader.readObject(command.rawBody());
        }
        if (command.jsonBody() instanceof ObjectNode item) {
            return item;
        }
        throw RequestRefused.invalidItem(command.bodyField(), "a JSON object with the entity's fields",
                command.jsonBody().getNodeType().name().toLowerCase(Locale.ROOT));
    }

    private CompletableFuture<PublishAccepted> send(WriteCommand command, EventFactory.Prepared prepared, UUID eventId) {
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
        EntityEvent event = events.event(prepared, eventId, at, writer, source);
        return publisher.publish(WriteMetrics.Source.HTTP, event).thenApply(PublishAccepted::of);
    }

    /** What makes two requests "the same" for an idempotency key: everything but the request id. */
    private static byte[] fingerprint(WriteCommand command, EventFactory.Prepared prepared) {
        WriteCommand.ServerFields fields = command.serverFields();
        String body = prepared.write().body() == null ? "" : prepared.write().body().toString();
        String canonical = String.join("\u0000", command.op().name(), command.type(), command.id(), body,
                String.valueOf(command.expectedVersion()),
                fields == null ? "" : fields.clock() + "/" + fields.writer());
        try {
            return MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
