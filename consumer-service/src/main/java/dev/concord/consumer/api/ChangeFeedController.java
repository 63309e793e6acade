package dev.concord.consumer.api;

import dev.concord.consumer.consistency.ReadYourWrites;
import dev.concord.consumer.feed.ChangeFeedService;
import dev.concord.consumer.feed.FeedSettings;
import dev.concord.consumer.store.CursorGoneException;
import dev.concord.contract.outcomes.WaitPreference;
import dev.concord.replica.ReplicatedTypes;
import dev.concord.replica.store.StoreException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.authentication.Authentication;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.reactivestreams.Publisher;

/**
 * The change feed over HTTP, one cursor ({@code change_seq}, with the {@code store} it belongs to) for both forms:
 * <ul>
 *   <li>{@code GET /v1/changes?after=&store=&types=&limit=&wait=}: the changes after {@code after} at once
 *       ({@code {changes:[...], next, store}}); with {@code wait} seconds (capped at {@code concord.feed.max-wait})
 *       it waits until there is one or the time is up, then answers an empty list and the same cursor.
 *       No thread or connection is held while waiting. 410 problem when the store can no longer serve the
 *       cursor without a gap (the client must resync). With {@code X-Concord-After} (docs/consistency.md) it first
 *       waits until the store reflects the token's writes of the requested types (503 {@code not-yet-consistent}
 *       when it cannot within the bound), so the page after a client's own cursor holds its writes.</li>
 *   <li>{@code GET /v1/changes/stream?types=&after=&store=}: Server-Sent Events, {@code id:} = {@code <store>:<seq>},
 *       resuming after the {@code Last-Event-ID} header (or {@code after}); headers and a comment go out at
 *       once, a comment every {@code concord.feed.heartbeat} while idle; ends with {@code event: resync} when
 *       the client is too slow or the store cannot be read, {@code event: reset} when the cursor cannot be served.</li>
 * </ul>
 * Unknown types and bad numbers are 400/404 problems; 503 when too many streams are open or the store is down.
 */
@Controller("/v1/changes")
public class ChangeFeedController {

    private final ReplicatedTypes types;
    private final ChangeFeedService feed;
    private final FeedSettings settings;
    private final ReadAccess access;

    private final ReadYourWrites readYourWrites;

    ChangeFeedController(ReplicatedTypes types, ChangeFeedService feed, ReadAccess access, ReadYourWrites readYourWrites) {
        this.readYourWrites = readYourWrites;
        this.types = types;
        this.feed = feed;
        this.access = access;
        this.settings = feed.settings();
    }

    @Get(produces = {MediaType.APPLICATION_JSON, "application/problem+json"})
    public CompletableFuture<HttpResponse<?>> changes(@Nullable @QueryValue Long after, @Nullable @QueryValue String store,
                                                      @Nullable @QueryValue String types,
                                                      @Nullable @QueryValue Integer limit, @Nullable @QueryValue Integer wait,
                                                      @Nullable @Header(ReadYourWrites.HEADER) String writesAfter,
                                                      @Nullable @Header(WaitPreference.PREFER) String prefer,
                                                      HttpRequest<?> request, @Nullable Authentication authentication) {
        FeedRequest feedRequest = access.authorize(authentication, FeedRequest.of(this.types, after, store, types)).declared(this.types);
        if (limit != null && limit < 1) {
            throw new FeedRequest.InvalidFeedRequest("limit", "between 1 and " + settings.maxLimit(), String.valueOf(limit), false);
        }
        if (wait != null && wait < 0) {
            throw new FeedRequest.InvalidFeedRequest("wait", "seconds >= 0", String.valueOf(wait), false);
        }
        int pageLimit = Math.min(limit == null ? settings.defaultLimit() : limit, settings.maxLimit());
        Duration waitFor = wait == null ? Duration.ZERO : min(Duration.ofSeconds(wait), settings.maxWait());
        String path = request.getPath();
        Optional<ReadYourWrites.Condition> condition = readYourWrites.condition(writesAfter, prefer);
        CompletableFuture<Boolean> reflected = condition.isEmpty() ? CompletableFuture.completedFuture(true)
                : readYourWrites.awaitReflected(condition.get(), write -> feedRequest.types().contains(write.type()));
        return reflected.thenCompose(ready -> ready
                ? feed.poll(feedRequest.cursor(), feedRequest.types(), pageLimit, waitFor).<HttpResponse<?>>thenApply(HttpResponse::ok)
                : CompletableFuture.<HttpResponse<?>>completedFuture(
                        EntityProblems.notYetConsistent(ReadYourWrites.HEADER, condition.get().bound(), path)))
                .exceptionally(error -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof CursorGoneException gone) {
                        return EntityProblems.cursorGone(gone.getMessage(), gone.storeId(), feedRequest.after(), path);
                    }
                    if (cause instanceof StoreException) {
                        return EntityProblems.storeUnavailable(path);
                    }
                    throw error instanceof CompletionException completion ? completion : new CompletionException(cause);
                });
    }

    @Get(value = "/stream", produces = MediaType.TEXT_EVENT_STREAM)
    public Publisher<byte[]> stream(@Nullable @QueryValue Long after, @Nullable @QueryValue String store,
                                    @Nullable @QueryValue String types, @Nullable @Header("Last-Event-ID") String lastEventId,
                                    @Nullable Authentication authentication) {
        Long resumeAfter = after;
        String resumeStore = store;
        if (lastEventId != null && !lastEventId.isBlank()) {
            // Our event ids are <store>:<seq>; a bare seq (an older client) is accepted too.
            String id = lastEventId.trim();
            int colon = id.lastIndexOf(':');
            if (colon >= 0) {
                resumeStore = id.substring(0, colon);
            }
            try {
                resumeAfter = Long.parseLong(id.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new FeedRequest.InvalidFeedRequest("Last-Event-ID", "the id of the last event received (<store>:<seq>)",
                        lastEventId, false);
            }
        }
        FeedRequest feedRequest = access.authorize(authentication, FeedRequest.of(this.types, resumeAfter, resumeStore, types))
                .declared(this.types);
        SseFeedPublisher publisher = new SseFeedPublisher(feed.storeId());
        publisher.attach(feed.open("sse", feedRequest.cursor(), feedRequest.types(), publisher)::close);
        return publisher.events();
    }

    @Error(exception = FeedRequest.InvalidFeedRequest.class)
    public HttpResponse<?> invalid(HttpRequest<?> request, FeedRequest.InvalidFeedRequest error) {
        if (error.unknownType) {
            return EntityProblems.unknownType(error.actual, types.names(), request.getPath());
        }
        return EntityProblems.badParameter(error.field, error.expected, error.actual, request.getPath());
    }

    @Error(exception = ChangeFeedService.TooManyStreamsException.class)
    public HttpResponse<?> tooManyStreams(HttpRequest<?> request, ChangeFeedService.TooManyStreamsException error) {
        return EntityProblems.tooManyStreams(error.getMessage(), request.getPath());
    }

    @Error(exception = StoreException.class)
    public HttpResponse<?> storeUnavailable(HttpRequest<?> request) {
        return EntityProblems.storeUnavailable(request.getPath());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
