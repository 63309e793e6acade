package dev.concord.producer.publish;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.concurrent.CompletableFuture;

/**
 * {@code PUT /v1/entities/{type}/{id}}: replace an entity with the JSON object in the body.
 *
 * <p>Answers 202 with {@link PublishAccepted} only after Kafka acknowledged the event; every refusal
 * is {@code application/problem+json} (see the handlers in {@code dev.concord.producer.problem}).
 * The body is taken raw so that malformed JSON gets our own error, with line and column.
 *
 * <p>Runs on the blocking pool: {@code KafkaProducer.send} may wait for metadata or buffer space,
 * which must never stall Netty's event loop.
 */
@Controller("/v1/entities")
@ExecuteOn(TaskExecutors.BLOCKING)
public class EntityController {

    private final PublishService publishService;

    public EntityController(PublishService publishService) {
        this.publishService = publishService;
    }

    /** The id segment is optional in the route only so that a missing id gets a 400 naming {@code id}, not a bare 404. */
    @Put(uri = "/{type}{/id}", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<PublishAccepted>> upsert(@PathVariable String type, @Nullable @PathVariable String id,
                                                                   @Nullable @Body String body,
                                                                   @Nullable @Header(RequestIds.HEADER) String requestId) {
        return publishService.upsert(type, id, body, RequestIds.fromHeaderOrNew(requestId))
                .thenApply(published -> HttpResponse.accepted().body(PublishAccepted.of(published)));
    }
}
