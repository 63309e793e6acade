package dev.concord.processor.metrics;

import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.RejectionReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The processor's counters on the service's metrics endpoint ({@code /prometheus}):
 * {@code concord_sync_applied_total{type}}, {@code concord_sync_conflicts_total{type,rule,scope}},
 * {@code concord_sync_rejected_total{type,reason}}, {@code concord_sync_duplicates_dropped_total{type}},
 * {@code concord_sync_tombstones_expired_total{type}}, {@code concord_sync_dead_letters_total{stage}}; for types that
 * park, {@code concord_sync_parked_keys{type}} and {@code concord_sync_held_events{type}} (gauges of this instance's
 * tasks), {@code concord_sync_parked_total{type}}, {@code concord_sync_unparked_total{type,action}} and
 * {@code concord_sync_parking_ignored_total{type,reason}}.
 */
public final class MicrometerSyncMetrics implements SyncMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> parkedKeys = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> heldEvents = new ConcurrentHashMap<>();
    // per source region: the last mirrored event's delay, and the source time of the newest one folded
    private final Map<String, AtomicLong> mirroredDelayMillis = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> newestMirroredMillis = new ConcurrentHashMap<>();
    // The counters bumped once per event, by type: looked up by name and tags, a counter costs a Meter.Id and its
    // tags sorted on every call, on the stream thread.
    private final Map<String, Counter> applied = new ConcurrentHashMap<>();
    private final Map<String, Counter> duplicatesDropped = new ConcurrentHashMap<>();

    @Override
    public void mirroredEventFolded(String fromRegion, long sourceMillis, long nowMillis) {
        mirroredDelayMillis.computeIfAbsent(fromRegion, region -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("concord.sync.mirrored.delay.seconds", value, v -> v.get() / 1000.0).tag("from", region)
                    .description("Source append to folded here, of the last event mirrored from the region").register(registry);
            return value;
        }).set(Math.max(0, nowMillis - sourceMillis));
        newestMirroredMillis.computeIfAbsent(fromRegion, region -> {
            AtomicLong value = new AtomicLong();
            // Read at scrape time: it grows while nothing comes from the region (the link down, or the region idle).
            Gauge.builder("concord.sync.mirrored.newest.age.seconds", value, v -> (System.currentTimeMillis() - v.get()) / 1000.0)
                    .tag("from", region).description("Age of the newest event from the region folded here").register(registry);
            return value;
        }).accumulateAndGet(sourceMillis, Math::max);
    }

    public MicrometerSyncMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void parked(String entityType) {
        registry.counter("concord.sync.parked", "type", entityType).increment();
    }

    @Override
    public void parkedKeys(String entityType, long delta) {
        parkedKeys.computeIfAbsent(entityType, type -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("concord.sync.parked.keys", value, AtomicLong::get).tag("type", type).register(registry);
            return value;
        }).addAndGet(delta);
    }

    @Override
    public void heldEvents(String entityType, long delta) {
        heldEvents.computeIfAbsent(entityType, type -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("concord.sync.held.events", value, AtomicLong::get).tag("type", type).register(registry);
            return value;
        }).addAndGet(delta);
    }

    @Override
    public void unparked(String entityType, String action) {
        registry.counter("concord.sync.unparked", "type", entityType, "action", action).increment();
    }

    @Override
    public void parkingIgnored(String entityType, String reason) {
        registry.counter("concord.sync.parking.ignored", "type", entityType, "reason", reason).increment();
    }


    @Override
    public void applied(String entityType) {
        applied.computeIfAbsent(entityType, type -> registry.counter("concord.sync.applied", "type", type)).increment();
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
        duplicatesDropped.computeIfAbsent(entityType, type -> registry.counter("concord.sync.duplicates.dropped", "type", type))
                .increment();
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
