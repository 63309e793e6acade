package dev.concord.producer.admin;

import dev.concord.contract.types.EntityType;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;

/**
 * {@code POST /v1/admin/replay/{type}}: an operator asks the processor to publish the current state of some entities
 * of a type, or of all of them, again — unchanged, same versions, so replicas that hold them ignore them and a replica
 * that lost them gets them back (docs/operations.md, "Replay entities"). Needs the type's {@code admin} grant. Answers
 * 202 once Kafka holds the requests (docs/contract.md, "Replay requests"); the processor then publishes the states in
 * its own transactions.
 */
@Controller("/v1/admin/replay")
@ExecuteOn(TaskExecutors.BLOCKING)
@Secured(SecurityRule.IS_AUTHENTICATED)
public class ReplayController {

    /** What was asked of the processor: {@code requests} records, each for one entity or for one partition's entities. */
    public record ReplayAccepted(String type, String scope, int requests) {
    }

    private final OperatorAccess access;
    private final ControlRecords sender;

    ReplayController(OperatorAccess access, ControlRecords sender) {
        this.access = access;
        this.sender = sender;
    }

    @Post(uri = "/{type}", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<ReplayAccepted> replay(@PathVariable String type, @Nullable @Body byte[] body,
                                               @Nullable Authentication authentication) {
        EntityType entityType = access.require(authentication, type, "replay");
        ReplayRequestBody request = ReplayRequestBody.parse(body);
        int sent = request.all() ? sender.replayAll(entityType) : sender.replay(entityType, request.ids());
        return HttpResponse.<ReplayAccepted>status(HttpStatus.ACCEPTED)
                .body(new ReplayAccepted(type, request.all() ? "all" : "ids", sent));
    }
}
