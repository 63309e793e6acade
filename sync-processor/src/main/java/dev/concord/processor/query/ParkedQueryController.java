package dev.concord.processor.query;

import dev.concord.contract.ConcordContract;
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
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.authentication.Authentication;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/parked/{type}}: the entities of a type that wait for an operator (a poisoned event, then their later
 * events held), across every instance. Needs the type's {@code admin} grant: the reasons quote what writers sent. A type
 * that skips poisoned events has none (an empty list). {@code ?local=true} answers from this instance alone (what
 * instances ask each other).
 */
@Controller("/v1/parked")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ParkedQueryController {

    private final ParkedQueryService parked;
    private final ConcordContract contract;
    private final AccessPolicy access;

    ParkedQueryController(ParkedQueryService parked, ConcordContract contract, AccessPolicy access) {
        this.parked = parked;
        this.contract = contract;
        this.access = access;
    }

    @Get(uri = "/{type}", produces = MediaType.APPLICATION_JSON)
    HttpResponse<?> list(@PathVariable String type, @QueryValue(defaultValue = "false") boolean local, HttpRequest<?> request,
                         @Nullable Authentication authentication) {
        // The grant first: the refusal of an unknown type lists the declared ones, for callers with the grant only.
        access.require(authentication, type, Action.ADMIN, "type");
        Optional<EntityType> entityType = contract.types().find(type);
        if (entityType.isEmpty()) {
            return HttpResponse.status(HttpStatus.NOT_FOUND).body(Problem.of("unknown-entity-type", "Unknown entity type", 404,
                    "No entity type '" + type + "' is declared",
                    List.of(new Problem.FieldError("type", null, "one of " + String.join(", ", contract.types().names()), type))))
                    .contentType(Problem.MEDIA_TYPE);
        }
        try {
            return HttpResponse.ok(Json.write(parked.list(entityType.get(), local, Credentials.of(request))))
                    .contentType(MediaType.APPLICATION_JSON_TYPE);
        } catch (ParkedQueryService.NotReady e) {
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body(Problem.of("parked-unavailable",
                    "Parked entities not available now", 503, e.getMessage(), List.of()))
                    .contentType(Problem.MEDIA_TYPE).header(HttpHeaders.RETRY_AFTER, "1");
        }
    }
}
