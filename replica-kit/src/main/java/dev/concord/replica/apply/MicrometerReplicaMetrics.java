package dev.concord.replica.apply;

import dev.concord.replica.store.AppliedBatch;
import dev.concord.replica.store.StateChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * The replica's meters at {@code /prometheus}:
 * <ul>
 *   <li>{@code concord.replica.rows.applied{type}}: rows inserted, replaced or removed;</li>
 *   <li>{@code concord.replica.records.ignored{reason=stale|undecodable}}: records that changed nothing;</li>
 *   <li>{@code concord.replica.batch.size}: records per committed batch;</li>
 *   <li>{@code concord.replica.lag{topic,partition}} and {@code concord.replica.lag.total}: records not yet applied;</li>
 *   <li>{@code concord.replica.watermark.seq}: the change feed's head (every {@code change_seq} up to it is committed);
 *       {@code concord.replica.watermark.offset{topic,partition}}: next offset stored per partition;</li>
 *   <li>{@code concord.replica.freshness{type}}: apply time minus the winning write's clock
 *       ({@code clock.physicalMillis}, the writer's hybrid clock): event time to applied, end to end;</li>
 *   <li>{@code concord.replica.apply.delay{type}}: apply time minus {@code updatedAt}, the processor's
 *       processing time: processor to replica only;</li>
 *   <li>{@code concord.replica.caught.up}: 1 once bootstrapped;</li>
 *   <li>{@code concord.replica.dead.letters{type}}: records written to {@code replica_dead_letter} (refused
 *       by the decoder or by the store) instead of being applied.</li>
 * </ul>
 * Both durations compare clocks of different machines: skew shows up in them (negative values count as 0).
 */
public final class MicrometerReplicaMetrics implements ReplicaMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> appliedByType = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLettersByType = new ConcurrentHashMap<>();
    private final Map<String, Timer> freshnessByType = new ConcurrentHashMap<>();
    private final Map<String, Timer> delayByType = new ConcurrentHashMap<>();
    private final Map<TopicPartition, AtomicLong> lagByPartition = new ConcurrentHashMap<>();
    private final Map<TopicPartition, AtomicLong> offsetByPartition = new ConcurrentHashMap<>();
    private final AtomicLong totalLag = new AtomicLong();
    private final AtomicLong highestSeq = new AtomicLong();
    private final AtomicLong caughtUp = new AtomicLong();
    private final Counter stale;
    private final Counter undecodable;
    private final DistributionSummary batchSize;

    public MicrometerReplicaMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.stale = Counter.builder("concord.replica.records.ignored").tag("reason", "stale")
                .description("records the version guard turned away (equal or newer version stored)").register(registry);
        this.undecodable = Counter.builder("concord.replica.records.ignored").tag("reason", "undecodable")
                .description("records skipped because they cannot be decoded").register(registry);
        this.batchSize = DistributionSummary.builder("concord.replica.batch.size").baseUnit("records")
                .description("records per committed batch")
                .serviceLevelObjectives(1, 10, 100, 500, 1000, 2000, 5000).register(registry);
        Gauge.builder("concord.replica.lag.total", totalLag, AtomicLong::get).baseUnit("records")
                .description("records in the assigned partitions not yet applied").register(registry);
        Gauge.builder("concord.replica.watermark.seq", highestSeq, AtomicLong::get)
                .description("the change feed's head: every change_seq up to it is committed").register(registry);
        Gauge.builder("concord.replica.caught.up", caughtUp, AtomicLong::get)
                .description("1 once the replica has caught up with the state topics as they were at start").register(registry);
    }

    @Override
    public void batchCommitted(int records, int skipped, AppliedBatch applied, long nowMillis) {
        batchSize.record(records);
        undecodable.increment(skipped);
        stale.increment(applied.stale());
        applied.deadLetters().forEach(letter -> deadLettersByType.computeIfAbsent(letter.entityType(), type ->
                Counter.builder("concord.replica.dead.letters").tag("type", type)
                        .description("records written to replica_dead_letter instead of being applied").register(registry)).increment());
        for (StateChange change : applied.applied()) {
            appliedByType.computeIfAbsent(change.type(), type -> Counter.builder("concord.replica.rows.applied").tag("type", type)
                    .description("rows inserted, replaced or removed").register(registry)).increment();
            if (change instanceof StateChange.Upsert upsert) {
                timer(freshnessByType, "concord.replica.freshness", upsert.type(),
                        "apply time minus the winning write's hybrid clock (event time to applied)")
                        .record(Math.max(0, nowMillis - upsert.clock().physicalMillis()), TimeUnit.MILLISECONDS);
                if (upsert.updatedAt() != null) {
                    timer(delayByType, "concord.replica.apply.delay", upsert.type(),
                            "apply time minus the processor's updatedAt (processor to replica)")
                            .record(Math.max(0, nowMillis - upsert.updatedAt().toEpochMilli()), TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    @Override
    public void watermark(Map<TopicPartition, Long> nextOffsets, long feedHead) {
        highestSeq.accumulateAndGet(feedHead, Math::max);
        nextOffsets.forEach((partition, offset) -> partitionGauge(offsetByPartition, "concord.replica.watermark.offset",
                "next offset stored per partition", partition).set(offset));
    }

    @Override
    public void lag(Map<TopicPartition, Long> lag) {
        long total = 0;
        for (Map.Entry<TopicPartition, AtomicLong> known : lagByPartition.entrySet()) {
            if (!lag.containsKey(known.getKey())) {
                known.getValue().set(0); // revoked: another member owns its lag now
            }
        }
        for (Map.Entry<TopicPartition, Long> entry : lag.entrySet()) {
            partitionGauge(lagByPartition, "concord.replica.lag", "records not yet applied", entry.getKey()).set(entry.getValue());
            total += entry.getValue();
        }
        totalLag.set(total);
    }

    @Override
    public void caughtUp(boolean value) {
        caughtUp.set(value ? 1 : 0);
    }

    private Timer timer(Map<String, Timer> timers, String name, String type, String description) {
        return timers.computeIfAbsent(type, t -> Timer.builder(name).tag("type", t).description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry));
    }

    private AtomicLong partitionGauge(Map<TopicPartition, AtomicLong> gauges, String name, String description, TopicPartition partition) {
        return gauges.computeIfAbsent(partition, p -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, AtomicLong::get).tag("topic", p.topic()).tag("partition", String.valueOf(p.partition()))
                    .description(description).register(registry);
            return value;
        });
    }
}
