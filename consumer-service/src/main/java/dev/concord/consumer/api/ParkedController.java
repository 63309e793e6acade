package dev.concord.consumer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.consumer.store.ReplicaStore;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.text.LogSafe;
import dev.concord.replica.ReplicatedTypes;
import dev.concord.replica.store.StoreException;
import dev.concord.security.AccessPolicy;
import dev.concord.security.Action;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.authentication.Authentication;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The parked entities of this replica (types declared {@code "poison": "park"}: a state this replica dead-lettered holds
 * back the entity's later states): {@code GET /v1/replica/parked/{type}} lists them, {@code POST
 * /v1/replica/parked/{type}/release} with {@code {"id": "..."}} applies the entity's newest held state and un-parks it.
 * Both need the type's {@code admin} grant (docs/operations.md, "Parked entities").
 */
@Controller("/v1/replica/parked")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ParkedController {

    // Strict: a repeated field is refused, not resolved to its last value.
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final int LIST_LIMIT = 1_000;

    private final ReplicaStore store;
    private final ReplicatedTypes types;
    private final AccessPolicy access;

    ParkedController(ReplicaStore store, ReplicatedTypes types, AccessPolicy access) {
        this.store = store;
        this.types = types;
        this.access = access;
    }

    @Get("/{type}")
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public HttpResponse<?> list(String type, HttpRequest<?> request, @Nullable Authentication authentication) {
        access.require(authentication, type, Action.ADMIN, "type");
        if (types.find(type).isEmpty()) {
            return EntityProblems.unknownType(type, types.names(), request.getPath());
        }
        try {
            return HttpResponse.ok(Map.of("type", type, "parked", store.parked(type, LIST_LIMIT)));
        } catch (StoreException e) {
            return EntityProblems.storeUnavailable(request.getPath());
        }
    }

    @Post("/{type}/release")
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public HttpResponse<?> release(String type, @Nullable @Body byte[] body, HttpRequest<?> request,
                                   @Nullable Authentication authentication) {
        access.require(authentication, type, Action.ADMIN, "type");
        if (types.find(type).isEmpty()) {
            return EntityProblems.unknownType(type, types.names(), request.getPath());
        }
        JsonNode id;
        try {
            id = body == null || body.length == 0 ? null : JSON.readTree(body).get("id");
        } catch (IOException e) {
            return EntityProblems.badParameter("id", "a JSON body {\"id\": \"<entity id>\"}", "a body that is not JSON, or repeats a field", request.getPath());
        }
        if (id == null || !id.isTextual()) {
            return EntityProblems.badParameter("id", "a JSON body {\"id\": \"<entity id>\"}",
                    id == null ? "no id" : "a JSON " + id.getNodeType().name().toLowerCase(java.util.Locale.ROOT), request.getPath());
        }
        Optional<EntityIdGrammar.Violation> invalid = EntityIdGrammar.check(id.textValue());
        if (invalid.isPresent()) {
            return EntityProblems.invalidEntityId("id", invalid.get(), request.getPath());
        }
        try {
            ReplicaStore.Released released = store.release(type, id.textValue());
            if (!released.wasParked()) {
                return EntityProblems.notParked(type, LogSafe.of(id.textValue()), request.getPath());
            }
            return HttpResponse.ok(Map.of("type", type, "id", id.textValue(), "released", true,
                    "appliedVersion", released.appliedVersion() == null ? "none" : released.appliedVersion()));
        } catch (StoreException e) {
            return EntityProblems.storeUnavailable(request.getPath());
        }
    }
}
