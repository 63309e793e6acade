package dev.concord.consumer.apply;

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
 * waits to restart after a failure (details say what failed and when).
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
        HealthStatus health = status.applying() ? HealthStatus.UP : HealthStatus.DOWN;
        return Publishers.just(HealthResult.builder("replicaApplier", health).details(details).build());
    }
}
