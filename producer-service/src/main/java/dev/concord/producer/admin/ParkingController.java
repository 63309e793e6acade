package dev.concord.producer.admin;

import dev.concord.contract.problem.Problem;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.PoisonPolicy;
import dev.concord.producer.write.RequestRefused;
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
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/admin/parking/{type}}: an operator releases a parked entity (its poisoned event is tried again, then
 * its held events apply in order) or skips its poisoned event (docs/operations.md, "Parked entities"). Needs the type's
 * {@code admin} grant. Answers 202 once Kafka holds the command (docs/contract.md, "Parked entities"); the processor
 * decides in its own transaction, and a command for an entity that is not parked changes nothing.
 */
@Controller("/v1/admin/parking")
@ExecuteOn(TaskExecutors.BLOCKING)
@Secured(SecurityRule.IS_AUTHENTICATED)
public class ParkingController {

    /** What was sent to the processor. */
    public record ParkingAccepted(String type, String id, String action) {
    }

    private final OperatorAccess access;
    private final ControlRecords sender;

    ParkingController(OperatorAccess access, ControlRecords sender) {
        this.access = access;
        this.sender = sender;
    }

    @Post(uri = "/{type}", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<ParkingAccepted> decide(@PathVariable String type, @Nullable @Body byte[] body,
                                                @Nullable Authentication authentication) {
        EntityType entityType = access.require(authentication, type, "release or skip");
        if (entityType.poison() != PoisonPolicy.PARK) {
            throw new RequestRefused(409, Problem.of("type-does-not-park", "Type does not park entities", 409,
                    "Entity type '" + type + "' skips poisoned events (\"poison\": \"" + entityType.poison().id()
                            + "\" in its declaration): none of its entities is ever parked.",
                    List.of(new Problem.FieldError("type", null, "a type declared \"poison\": \"park\"", "\"" + type + "\""))),
                    Map.of());
        }
        ParkingRequestBody request = ParkingRequestBody.parse(body);
        sender.decide(entityType, request.id(), request.action());
        return HttpResponse.<ParkingAccepted>status(HttpStatus.ACCEPTED)
                .body(new ParkingAccepted(type, request.id(), request.action().headerValue()));
    }
}
