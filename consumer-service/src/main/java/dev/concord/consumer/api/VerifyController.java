package dev.concord.consumer.api;

import dev.concord.consumer.verify.ReplicaVerifier;
import dev.concord.replica.ReplicatedTypes;
import dev.concord.replica.store.StoreException;
import dev.concord.security.AccessPolicy;
import dev.concord.security.Action;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.authentication.Authentication;
import java.util.function.Function;

/**
 * The operator's check of this replica against the authoritative state, and its targeted repair:
 * {@code POST /v1/replica/verify/{type}} lists the entities that differ (missing, extra, stale, changed, ahead) and the
 * key ranges whose digests differ; {@code POST /v1/replica/repair/{type}} does the same, then writes the authoritative
 * state of just those entities. Both read the whole state topic of the type, so they are POSTs, and both need the
 * type's {@code admin} grant. See {@link ReplicaVerifier} and docs/operations.md, "Verify and repair a replica".
 */
@Controller("/v1/replica")
@ExecuteOn(TaskExecutors.BLOCKING)
public class VerifyController {

    private final ReplicaVerifier verifier;
    private final ReplicatedTypes types;
    private final AccessPolicy access;

    VerifyController(ReplicaVerifier verifier, ReplicatedTypes types, AccessPolicy access) {
        this.verifier = verifier;
        this.types = types;
        this.access = access;
    }

    @Post("/verify/{type}")
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public HttpResponse<?> verify(String type, HttpRequest<?> request, @Nullable Authentication authentication) {
        return forOperator(type, request, authentication, verifier::verify);
    }

    @Post("/repair/{type}")
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public HttpResponse<?> repair(String type, HttpRequest<?> request, @Nullable Authentication authentication) {
        return forOperator(type, request, authentication, verifier::repair);
    }

    private HttpResponse<?> forOperator(String type, HttpRequest<?> request, @Nullable Authentication authentication,
                                        Function<String, ReplicaVerifier.Report> work) {
        // Credentials first: an operator's door tells nothing, not even which types exist, to anyone else.
        access.require(authentication, type, Action.ADMIN, "type");
        if (types.find(type).isEmpty()) {
            return EntityProblems.unknownType(type, types.names(), request.getPath());
        }
        return HttpResponse.ok(work.apply(type));
    }

    @Error(exception = StoreException.class)
    public HttpResponse<?> storeUnavailable(HttpRequest<?> request) {
        return EntityProblems.storeUnavailable(request.getPath());
    }
}
