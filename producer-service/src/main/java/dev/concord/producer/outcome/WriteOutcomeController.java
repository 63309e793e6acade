package dev.concord.producer.outcome;

import dev.concord.contract.outcomes.WaitPreference;
import dev.concord.contract.outcomes.WriteOutcome;
import dev.concord.contract.problem.Problem;
import dev.concord.producer.write.RequestRefused;
import dev.concord.security.Action;
import dev.concord.security.Client;
import dev.concord.security.ClientResolver;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/writes/{eventId}}: what became of a write (docs/consistency.md), from any instance, for
 * {@code concord.outcomes.retention} after its decision. {@code Prefer: wait=N} waits up to N seconds for a decision
 * not made yet. Authorised like the write: a client that may not write (or delete) the entity's type learns nothing,
 * not even that the write exists (404, as for an unknown id).
 */
@Controller("/v1/writes")
@Secured(SecurityRule.IS_AUTHENTICATED)
public class WriteOutcomeController {

    private final DecisionWaits waits;
    private final ClientResolver clients;

    WriteOutcomeController(DecisionWaits waits, ClientResolver clients) {
        this.waits = waits;
        this.clients = clients;
    }

    @Get(uri = "/{eventId}", produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<MutableHttpResponse<WriteOutcomeView>> outcome(
            @PathVariable String eventId, @Nullable @Header(WaitPreference.PREFER) String prefer,
            @Nullable Authentication authentication) {
        Client client = clients.resolve(authentication);
        String id = canonical(eventId);
        Optional<Duration> wait = waits.requested(prefer);
        CompletableFuture<Optional<WriteOutcome>> outcome = wait.isPresent() ? waits.await(id, wait.get())
                : CompletableFuture.completedFuture(waits.find(id));
        return outcome.thenApply(found -> {
            WriteOutcome known = found.filter(o -> mayKnow(client, o)).orElseThrow(() -> unknown(id));
            MutableHttpResponse<WriteOutcomeView> response = HttpResponse.ok(WriteOutcomeView.of(known));
            return wait.isPresent() ? response.header(WaitPreference.APPLIED, WaitPreference.applied(wait.get())) : response;
        });
    }

    private static boolean mayKnow(Client client, WriteOutcome outcome) {
        return client.grants().allows(outcome.entityType(), Action.WRITE) || client.grants().allows(outcome.entityType(), Action.DELETE);
    }

    private static String canonical(String eventId) {
        try {
            String canonical = UUID.fromString(eventId).toString();
            if (canonical.equalsIgnoreCase(eventId)) {
                return canonical;
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        String expected = "a UUID in its 36-character form, as the write's 202 named it (eventId)";
        String actual = eventId.length() > 64 ? eventId.length() + " characters" : "\"" + eventId + "\"";
        throw new RequestRefused(400, Problem.of("invalid-event-id", "Invalid event id", 400, "The path's eventId must be "
                + expected + ", not " + actual + ".", List.of(new Problem.FieldError("eventId", null, expected, actual))), Map.of());
    }

    private static RequestRefused unknown(String eventId) {
        return new RequestRefused(404, Problem.of("unknown-write", "No outcome for this write", 404,
                "No outcome is known for write " + eventId + ": not decided yet (ask with Prefer: wait=<seconds>), decided longer"
                        + " ago than this service keeps outcomes, or not a write this client may see.",
                List.of(new Problem.FieldError("eventId", null, "the id of a recent write of a type this client may write", eventId))),
                Map.of());
    }
}
