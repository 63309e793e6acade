package dev.concord.consumer.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.concord.consumer.consistency.ReadYourWrites;
import dev.concord.consumer.store.EntityPage;
import dev.concord.consumer.store.EntityReader;
import dev.concord.consumer.store.StoredEntity;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.outcomes.ConsistencyToken;
import dev.concord.contract.outcomes.WaitPreference;
import dev.concord.replica.ReplicatedTypes;
import dev.concord.replica.store.StoreException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Named;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Reads entities from this replica's store.
 *
 * <p>{@code GET /v1/entities/{type}/{id}}: 200 with the entity as JSON and {@code ETag: "<version>"}
 * (304 when {@code If-None-Match} already names that version); 404 problem when the type is not
 * replicated here (listing the types that are), when the entity is absent, or when it is deleted;
 * 400 problem when the id breaks {@link EntityIdGrammar} (it can name no entity: no query is made);
 * 503 problem when the store cannot be reached.
 *
 * <p>{@code GET /v1/entities/{type}?after=<id>&limit=<n>&deleted=<bool>}: a page of the type's entities
 * in id order, {@code {entities:[...], next:<id or null>, changeSeq:<seq>}}; pass {@code next} as
 * {@code after} for the following page (keyset paging). Deleted entities are left out unless
 * {@code deleted=true}. {@code changeSeq} is the change feed's head when the first page was read: list
 * every page, then follow the feed after it, and nothing is missed.
 *
 * <p>Both take {@code X-Concord-After: <consistency token>} (docs/consistency.md): the read waits until this replica
 * reflects the token's writes of that entity (or type), at most {@code concord.read-your-writes.max-wait} or
 * {@code Prefer: wait=N}, and is answered 503 {@code not-yet-consistent} with {@code Retry-After} otherwise.
 *
 * <p>Reads run on the blocking pool: JDBC blocks.
 */
@Controller("/v1/entities")
@ExecuteOn(TaskExecutors.BLOCKING)
public class EntityController {

    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    /**
     * A page of entities; {@code next} is null on the last page. {@code changeSeq} and {@code store} are the
     * change-feed cursor to follow after listing.
     */
    public record EntityList(List<EntityView> entities, @JsonInclude(JsonInclude.Include.ALWAYS) String next, long changeSeq,
                             String store) {
    }

    private final ReplicatedTypes types;
    private final EntityReader reader;
    private final ReadAccess access;
    private final ReadYourWrites readYourWrites;
    private final ExecutorService blocking;

    EntityController(ReplicatedTypes types, EntityReader reader, ReadAccess access, ReadYourWrites readYourWrites,
                     @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.types = types;
        this.reader = reader;
        this.access = access;
        this.readYourWrites = readYourWrites;
        this.blocking = blocking;
    }

    @Get("/{type}/{id}")
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public CompletableFuture<HttpResponse<?>> get(String type, String id, HttpRequest<?> request,
                               @Nullable @Header(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch,
                               @Nullable @Header(ReadYourWrites.HEADER) String after,
                               @Nullable @Header(WaitPreference.PREFER) String prefer,
                               @Nullable Authentication authentication) {
        String path = request.getPath();
        // The grant first: the refusal of an unknown type lists the declared ones, for readers of that type only.
        access.requireRead(authentication, type);
        if (types.find(type).isEmpty()) {
            return now(EntityProblems.unknownType(type, types.names(), path));
        }
        Optional<EntityIdGrammar.Violation> invalidId = EntityIdGrammar.check(id);
        if (invalidId.isPresent()) {
            return now(EntityProblems.invalidEntityId("id", invalidId.get(), path));
        }
        return afterReflecting(readYourWrites.condition(after, prefer), write -> write.type().equals(type) && write.entityId().equals(id),
                path, () -> read(type, id, ifNoneMatch, path));
    }

    private HttpResponse<?> read(String type, String id, String ifNoneMatch, String path) {
        Optional<StoredEntity> stored = reader.find(type, id);
        if (stored.isEmpty()) {
            return EntityProblems.notFound(type, id, path);
        }
        StoredEntity entity = stored.get();
        if (entity.deleted()) {
            return EntityProblems.deleted(type, id, entity.version(), path);
        }
        EntityView view = EntityView.of(entity);
        if (view.etag().equals(ifNoneMatch)) {
            return HttpResponse.status(HttpStatus.NOT_MODIFIED).header(HttpHeaders.ETAG, view.etag());
        }
        return HttpResponse.ok(view).header(HttpHeaders.ETAG, view.etag());
    }

    @Get("/{type}")
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public CompletableFuture<HttpResponse<?>> list(String type, @Nullable @QueryValue String after, @Nullable @QueryValue Integer limit,
                                @Nullable @QueryValue String deleted, HttpRequest<?> request,
                                @Nullable @Header(ReadYourWrites.HEADER) String writesAfter,
                                @Nullable @Header(WaitPreference.PREFER) String prefer,
                                @Nullable Authentication authentication) {
        String path = request.getPath();
        // The grant first: the refusal of an unknown type lists the declared ones, for readers of that type only.
        access.requireRead(authentication, type);
        if (types.find(type).isEmpty()) {
            return now(EntityProblems.unknownType(type, types.names(), path));
        }
        if (limit != null && (limit < 1 || limit > MAX_PAGE)) {
            return now(EntityProblems.badParameter("limit", "between 1 and " + MAX_PAGE, String.valueOf(limit), path));
        }
        // Parsed here: Micronaut's conversion reads anything but "true" as false ("deleted=maybe" would list without them).
        if (deleted != null && !deleted.equalsIgnoreCase("true") && !deleted.equalsIgnoreCase("false")) {
            return now(EntityProblems.badParameter("deleted", "true or false", deleted, path));
        }
        // The keyset cursor is an entity id (the previous page's last): the same grammar.
        Optional<EntityIdGrammar.Violation> invalidAfter = after == null ? Optional.empty() : EntityIdGrammar.check(after);
        if (invalidAfter.isPresent()) {
            return now(EntityProblems.invalidEntityId("after", invalidAfter.get(), path));
        }
        return afterReflecting(readYourWrites.condition(writesAfter, prefer), write -> write.type().equals(type), path, () -> {
            EntityPage page = reader.list(type, after, limit == null ? DEFAULT_PAGE : limit, "true".equalsIgnoreCase(deleted));
            return HttpResponse.ok(new EntityList(page.entities().stream().map(EntityView::of).toList(), page.nextAfter(),
                    page.changeSeq(), reader.storeId()));
        });
    }

    /**
     * Reads at once without a token; with one, once the store reflects the writes of it the read concerns (on the
     * blocking pool, as every store read), or answers 503 when the wait is over first.
     */
    private CompletableFuture<HttpResponse<?>> afterReflecting(Optional<ReadYourWrites.Condition> condition,
                                                              Predicate<ConsistencyToken.Write> concerns, String path,
                                                              Supplier<HttpResponse<?>> read) {
        if (condition.isEmpty()) {
            return now(read.get());
        }
        return readYourWrites.awaitReflected(condition.get(), concerns).thenApplyAsync(reflected -> reflected ? read.get()
                : EntityProblems.notYetConsistent(ReadYourWrites.HEADER, condition.get().bound(), path), blocking);
    }

    private static CompletableFuture<HttpResponse<?>> now(HttpResponse<?> response) {
        return CompletableFuture.completedFuture(response);
    }

    @Error(exception = StoreException.class)
    public HttpResponse<?> storeUnavailable(HttpRequest<?> request) {
        return EntityProblems.storeUnavailable(request.getPath());
    }
}
