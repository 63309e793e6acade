package dev.concord.consumer.apply;

import dev.concord.replica.apply.StateApplier;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.reactivestreams.Publisher;

/**
 * Reports the applier on {@code /health} as {@code replicaApplier}: UP while it polls, DOWN while it
 * waits to restart after a failure (details say what failed and when). Details also count the records
 * dead-lettered since start ({@code deadLetters}) and show the last one ({@code lastDeadLetter}).
 */
@Singleton
public class ApplierHealthIndicator implements HealthIndicator {

    private final StateApplier applier;

    public ApplierHealthIndicator(StateApplier applier) {
        this.applier = applier;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        StateApplier.Status status = applier.status();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("batchesApplied", status.batchesApplied());
        if (status.lastFailure() != null) {
            details.put("lastFailure", status.lastFailure());
            details.put("lastFailureAt", status.lastFailureAt().toString());
        }
        // Dead letters do not make the applier DOWN (it goes on), but an operator must see them.
        StateApplier.DeadLetters deadLetters = applier.deadLetters();
        details.put("deadLetters", deadLetters.count());
        if (deadLetters.last() != null) {
            Map<String, Object> last = new LinkedHashMap<>();
            last.put("type", deadLetters.last().entityType());
            last.put("id", deadLetters.last().entityId());
            last.put("reason", deadLetters.last().reason());
            last.put("at", deadLetters.lastAt().toString());
            last.put("inspect", "GET /v1/replica/dead-letters");
            details.put("lastDeadLetter", last);
        }
        HealthStatus health = status.applying() ? HealthStatus.UP : HealthStatus.DOWN;
        return Publishers.just(HealthResult.builder("replicaApplier", health).details(details).build());
    }
}
