package dev.concord.producer.publish;

import dev.concord.contract.avro.Operation;
import dev.concord.contract.outcomes.WaitPreference;
import dev.concord.producer.outcome.DecisionWaits;
import dev.concord.producer.write.InvalidEntityIdException;
import dev.concord.producer.write.RefusedException;
import dev.concord.producer.write.RequestIds;
import dev.concord.security.ClientResolver;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The single-entity writes: {@code PUT} (full replacement), {@code PATCH} (JSON merge patch, RFC 7386)
 * and {@code DELETE} on {@code /v1/entities/{type}/{id}}.
 *
 * <p>Answers 202 with {@link PublishAccepted} only after Kafka acknowledged the event; every refusal
 * is {@code application/problem+json} ({@link RefusedException}). Bodies are taken raw so that
 * malformed JSON gets our own error, with line and column. Headers: {@code If-Match: "<version>"} →
 * expectedVersion, {@code Idempotency-Key} → deterministic event id, {@code X-Request-Id} → source,
 * {@code X-Concord-Clock}/{@code X-Concord-Writer} → server-owned fields (trusted writers only), {@code Prefer: wait=N}
 * → wait up to N seconds for sync-processor's decision and answer with it ({@link DecisionResponses}; docs/consistency.md).
 *
 * <p>Runs on the blocking pool: {@code KafkaProducer.send} may wait for metadata or buffer space,
 * which must never stall Netty's event loop.
 */
@Controller("/v1/entities")
@ExecuteOn(TaskExecutors.BLOCKING)
@Secured(SecurityRule.IS_AUTHENTICATED)
public class EntityController {

    public static final String MERGE_PATCH_JSON = "application/merge-patch+json";

    private final PublishService publishService;
    private final ClientResolver clients;
    private final RateLimiter rateLimiter;
    private final DecisionWaits waits;

    public EntityController(PublishService publishService, ClientResolver clients, RateLimiter rateLimiter, DecisionWaits waits) {
        this.publishService = publishService;
        this.clients = clients;
        this.rateLimiter = rateLimiter;
        this.waits = waits;
    }

    /** The id segment is optional in the route only so that a missing id gets a 400 naming {@code id}, not a bare 404. */
    @Put(uri = "/{type}{/id}", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<MutableHttpResponse<?>> upsert(
            HttpRequest<?> request, @PathVariable String type, @Nullable @PathVariable String id, @Nullable @Body byte[] body,
            @Nullable @Header(RequestHeaders.IF_MATCH) String ifMatch,
            @Nullable @Header(RequestHeaders.IDEMPOTENCY_KEY) String idempotencyKey,
            @Nullable @Header(RequestHeaders.CLOCK) String clock, @Nullable @Header(RequestHeaders.WRITER) String writer,
            @Nullable @Header(RequestIds.HEADER) String requestId, @Nullable @Header(WaitPreference.PREFER) String prefer,
            @Nullable Authentication authentication) {
        return write(request, Operation.UPSERT, type, id, body, ifMatch, idempotencyKey, clock, writer, requestId, prefer, authentication);
    }

    /** A JSON merge patch: each top-level member replaces that field's whole value; {@code null} removes it. */
    @Patch(uri = "/{type}{/id}", consumes = MERGE_PATCH_JSON, produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<MutableHttpResponse<?>> patch(
            HttpRequest<?> request, @PathVariable String type, @Nullable @PathVariable String id, @Nullable @Body byte[] body,
            @Nullable @Header(RequestHeaders.IF_MATCH) String ifMatch,
            @Nullable @Header(RequestHeaders.IDEMPOTENCY_KEY) String idempotencyKey,
            @Nullable @Header(RequestHeaders.CLOCK) String clock, @Nullable @Header(RequestHeaders.WRITER) String writer,
            @Nullable @Header(RequestIds.HEADER) String requestId, @Nullable @Header(WaitPreference.PREFER) String prefer,
            @Nullable Authentication authentication) {
        return write(request, Operation.PATCH, type, id, body, ifMatch, idempotencyKey, clock, writer, requestId, prefer, authentication);
    }

    @Delete(uri = "/{type}{/id}", produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<MutableHttpResponse<?>> delete(
            HttpRequest<?> request, @PathVariable String type, @Nullable @PathVariable String id,
            @Nullable @Header(RequestHeaders.IF_MATCH) String ifMatch,
            @Nullable @Header(RequestHeaders.IDEMPOTENCY_KEY) String idempotencyKey,
            @Nullable @Header(RequestHeaders.CLOCK) String clock, @Nullable @Header(RequestHeaders.WRITER) String writer,
            @Nullable @Header(RequestIds.HEADER) String requestId, @Nullable @Header(WaitPreference.PREFER) String prefer,
            @Nullable Authentication authentication) {
        return write(request, Operation.DELETE, type, id, null, ifMatch, idempotencyKey, clock, writer, requestId, prefer, authentication);
    }

    /**
     * The id as the client sent it. Micronaut decodes the path leniently (invalid UTF-8 becomes U+FFFD, so
     * two different ids would write one entity); the raw last segment is decoded strictly instead.
     */
    private static String strictId(HttpRequest<?> request) {
        String rawPath = request.getUri().getRawPath();
        // Micronaut matches ".../c-1/" as id "c-1"; the segment is the one before a trailing slash.
        String path = rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        return InvalidEntityIdException.requireValidEncoded(path.substring(path.lastIndexOf('/') + 1));
    }

    private CompletableFuture<MutableHttpResponse<?>> write(
            HttpRequest<?> request, Operation op, String type, String decodedId, byte[] body, String ifMatch,
            String idempotencyKey, String clock, String writer, String requestId, String prefer, Authentication authentication) {
        var client = clients.resolve(authentication);
        Optional<Duration> wait = waits.requested(prefer);
        rateLimiter.admit(client, 1);
        String id = decodedId == null ? null : strictId(request);
        WriteCommand command = new WriteCommand(op, type, id, body, null, RequestHeaders.expectedVersion(ifMatch),
                RequestHeaders.idempotencyKey(idempotencyKey), RequestHeaders.serverFields(clock, writer), client,
                RequestIds.fromHeaderOrNew(requestId), "(body)");
        return publishService.publish(command).thenCompose(published -> wait.isEmpty()
                ? CompletableFuture.completedFuture(DecisionResponses.accepted(published))
                : waits.await(published.accepted().eventId(), wait.get())
                        .thenApply(decided -> DecisionResponses.single(published, decided, wait.get(), request.getPath())));
    }
}
