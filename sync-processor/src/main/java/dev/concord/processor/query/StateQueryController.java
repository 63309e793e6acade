package dev.concord.processor.query;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.problem.Problem;
import dev.concord.contract.types.EntityType;
import dev.concord.security.AccessPolicy;
import dev.concord.security.Action;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/state/{type}/{id}}: the processor's state of one entity, from whichever instance is
 * asked. 200 with the state (including deleted ones and field stamps), 404 when the processor has
 * no state for the key, 503 with {@code Retry-After} while ownership is being rebalanced. Needs the
 * caller's {@code <type>:read} grant (401/403 problems otherwise); a forwarded query carries the caller's
 * own credentials, so the owning instance checks them again and no instance vouches for another.
 */
@Controller("/v1/state")
@ExecuteOn(TaskExecutors.BLOCKING)
final class StateQueryController {

    private final StateQueryService queries;
    private final ConcordContract contract;
    private final AccessPolicy access;

    StateQueryController(StateQueryService queries, ConcordContract contract, AccessPolicy access) {
        this.queries = queries;
        this.contract = contract;
        this.access = access;
    }

    @Get("/{type}/{id}")
    HttpResponse<?> state(@PathVariable String type, @PathVariable String id,
                          @Header(StateQueryService.FORWARDED_HEADER) Optional<String> forwarded,
                          HttpRequest<?> request, @Nullable Authentication authentication) {
        // The grant first: the refusal of an unknown type lists the declared ones, for callers with the grant only.
        access.require(authentication, type, Action.READ, "type");
        Optional<EntityType> entityType = contract.types().find(type);
        if (entityType.isEmpty()) {
            return problem(HttpStatus.NOT_FOUND, Problem.of("unknown-entity-type", "Unknown entity type", 404,
                    "No entity type '" + type + "' is declared",
                    List.of(new Problem.FieldError("type", null, "one of " + String.join(", ", contract.types().names()), type))));
        }
        Optional<EntityIdGrammar.Violation> invalidId = EntityIdGrammar.check(id);
        if (invalidId.isPresent()) {
            return problem(HttpStatus.BAD_REQUEST, Problem.of("invalid-entity-id", "Invalid entity id", 400,
                    invalidId.get().detail(), List.of(new Problem.FieldError("id", null, EntityIdGrammar.RULE, invalidId.get().found()))));
        }
        StateQueryService.Answer answer = queries.query(entityType.get(), id, forwarded.isPresent(), Credentials.of(request));
        if (answer instanceof StateQueryService.Answer.Found found) {
            return HttpResponse.ok(found.json()).contentType(MediaType.APPLICATION_JSON_TYPE);
        }
        if (answer instanceof StateQueryService.Answer.NotFound) {
            return problem(HttpStatus.NOT_FOUND, Problem.of("entity-not-found", "No such entity", 404,
                    "sync-processor has no state for " + type + "/" + id, List.of()));
        }
        String reason = ((StateQueryService.Answer.Unavailable) answer).reason();
        return problem(HttpStatus.SERVICE_UNAVAILABLE, Problem.of("state-unavailable", "State not available now", 503,
                reason, List.of())).header(HttpHeaders.RETRY_AFTER, "1");
    }

    private static io.micronaut.http.MutableHttpResponse<Problem> problem(HttpStatus status, Problem problem) {
        return HttpResponse.status(status).body(problem).contentType(Problem.MEDIA_TYPE);
    }
}
