package dev.concord.replica.micronaut;

import dev.concord.replica.apply.CatchUpTracker;
import dev.concord.replica.apply.BootstrapProgress;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.reactivestreams.Publisher;

/**
 * {@code replicaBootstrap} on {@code /health} and {@code /health/readiness}: DOWN until the replica has
 * applied every partition it was assigned at start up to that partition's end offset as it was then;
 * UP from then on (later lag is a detail, not unreadiness: a replica that falls behind still serves
 * consistent, if older, data). Details: the target end offsets, the records still to apply of them, and
 * the current lag ({@code lagRecords}) over the assigned partitions.
 */
@Singleton
@Readiness
@Requires(beans = BootstrapProgress.class)
public class ReplicaReadinessIndicator implements HealthIndicator {

    private final BootstrapProgress bootstrap;

    public ReplicaReadinessIndicator(BootstrapProgress bootstrap) {
        this.bootstrap = bootstrap;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        CatchUpTracker.Progress progress = bootstrap.progress();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("caughtUp", progress.caughtUp());
        if (progress.target().isEmpty()) {
            details.put("waitingFor", "the first partition assignment");
        } else {
            details.put("remainingRecords", progress.remaining().values().stream().mapToLong(Long::longValue).sum());
            details.put("targetEndOffsets", byName(progress.target()));
            details.put("remainingByPartition", byName(progress.remaining()));
        }
        details.put("lagRecords", progress.lag().values().stream().mapToLong(Long::longValue).sum());
        HealthStatus status = progress.caughtUp() ? HealthStatus.UP : HealthStatus.DOWN;
        return Publishers.just(HealthResult.builder("replicaBootstrap", status).details(details).build());
    }

    private static Map<String, Long> byName(Map<TopicPartition, Long> offsets) {
        Map<String, Long> named = new LinkedHashMap<>();
        offsets.forEach((partition, offset) -> named.put(partition.toString(), offset));
        return named;
    }
}
