package dev.concord.processor.metrics;

import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.RejectionReason;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The processor's counters on the service's metrics endpoint ({@code /prometheus}):
 * {@code concord_sync_applied_total{type}}, {@code concord_sync_conflicts_total{type,rule,scope}},
 * {@code concord_sync_rejected_total{type,reason}}, {@code concord_sync_duplicates_dropped_total{type}},
 * {@code concord_sync_tombstones_expired_total{type}}, {@code concord_sync_dead_letters_total{stage}}.
 */
public final class MicrometerSyncMetrics implements SyncMetrics {

    private final MeterRegistry registry;

    public MicrometerSyncMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void applied(String entityType) {
        registry.counter("concord.sync.applied", "type", entityType).increment();
    }

    @Override
    public void conflict(String entityType, String rule, ConflictScope scope) {
        registry.counter("concord.sync.conflicts", "type", entityType, "rule", rule, "scope", scope.name()).increment();
    }

    @Override
    public void rejected(String entityType, RejectionReason reason) {
        registry.counter("concord.sync.rejected", "type", entityType, "reason", reason.name()).increment();
    }

    @Override
    public void duplicateDropped(String entityType) {
        registry.counter("concord.sync.duplicates.dropped", "type", entityType).increment();
    }

    @Override
    public void replayed(String entityType, int entities) {
        registry.counter("concord.sync.replayed", "type", entityType).increment(entities);
    }

    @Override
    public void replayIgnored(String entityType, String reason) {
        registry.counter("concord.sync.replay.ignored", "type", entityType, "reason", reason).increment();
    }

    @Override
    public void tombstoneExpired(String entityType) {
        registry.counter("concord.sync.tombstones.expired", "type", entityType).increment();
    }

    @Override
    public void tombstonesExamined(String entityType, int examined) {
        registry.counter("concord.sync.tombstones.examined", "type", entityType).increment(examined);
    }

    @Override
    public void deadLettered(String stage) {
        registry.counter("concord.sync.dead.letters", "stage", stage).increment();
    }
}
