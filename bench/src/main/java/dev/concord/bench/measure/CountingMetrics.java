package dev.concord.bench.measure;

import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.processor.metrics.SyncMetrics;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts events the processor has finished with (applied, lost whole, refused, dropped as
 * duplicate, dead-lettered) and when the first and the latest were done, for throughput.
 */
final class CountingMetrics implements SyncMetrics {

    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong firstNanos = new AtomicLong();
    private final AtomicLong lastNanos = new AtomicLong();

    long processed() {
        return processed.get();
    }

    /** Events per second between the first and the latest processed event. */
    double ratePerSecond() {
        long span = lastNanos.get() - firstNanos.get();
        return span <= 0 ? 0 : processed.get() * 1e9 / span;
    }

    private void done() {
        long now = System.nanoTime();
        firstNanos.compareAndSet(0, now);
        lastNanos.set(now);
        processed.incrementAndGet();
    }

    @Override
    public void applied(String entityType) {
        done();
    }

    @Override
    public void conflict(String entityType, String rule, ConflictScope scope) {
        if (scope == ConflictScope.RECORD) {
            done();
        }
    }

    @Override
    public void rejected(String entityType, RejectionReason reason) {
        done();
    }

    @Override
    public void duplicateDropped(String entityType) {
        done();
    }

    @Override
    public void tombstoneExpired(String entityType) {
    }

    @Override
    public void tombstonesExamined(String entityType, int examined) {
    }

    @Override
    public void deadLettered(String stage) {
        done();
    }
}
