package dev.concord.replica.apply;

import dev.concord.contract.retry.Backoff;
import dev.concord.contract.text.LogSafe;
import dev.concord.replica.store.AppliedBatch;
import dev.concord.replica.store.DeadLetter;
import dev.concord.replica.store.RecordOrigin;
import dev.concord.replica.store.ReplicaSink;
import dev.concord.replica.store.StateBatch;
import dev.concord.replica.store.StateChange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica's poll loop, on its own thread: polls the state topics of the replicated types and
 * hands each poll's records to the {@link ReplicaSink} as one batch (one database transaction,
 * offsets included).
 *
 * <p>Guarantees: every record is applied exactly once in effect: positions come only from the
 * store ({@link SeekToStoredOffsets}), and a batch and its offsets commit together. Any failure
 * (store down, broker trouble) closes the consumer, waits with exponential back-off, and starts a
 * new one, which resumes from the stored offsets: consumption pauses and resumes without loss.
 * Kafka offsets are also committed, asynchronously and only for lag monitoring.
 *
 * <p>After each commit it tells {@code onCommitted} the store's feed head (consumer-service's change feed;
 * the store keeps the feed's order, even with several appliers on one store), reports committed positions to the {@link CatchUpTracker} (readiness) and
 * records its metrics. While the store is down there is no consumer at all: nothing is fetched or
 * buffered, so an outage costs no memory, however long it lasts.
 *
 * <p>Several instances of one group may share one store: the group protocol hands a partition over
 * only after its previous owner's batch is committed; an owner evicted mid-batch (e.g. a long GC
 * pause) may re-apply records, which the version guard makes harmless, and cannot move the stored
 * offset back. The store serialises their transactions, so the change feed stays in order.
 */
public final class StateApplier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StateApplier.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration OFFSETS_TIMEOUT = Duration.ofSeconds(30);

    /** What the applier is doing, for the health endpoint. */
    public record Status(boolean applying, String lastFailure, Instant lastFailureAt, long batchesApplied) {
    }

    /** Records dead-lettered since this applier started, and the last one (null before the first). */
    public record DeadLetters(long count, DeadLetter last, Instant lastAt) {
    }

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final List<String> topics;
    private final StateRecordDecoder decoder;
    private final ReplicaSink store;
    private final LongConsumer onCommitted;
    private final CatchUpTracker catchUp;
    private final ReplicaMetrics metrics;
    private final Clock clock;
    private final Thread thread;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Consumer<byte[], byte[]> consumer;
    private volatile Status status = new Status(false, null, null, 0);
    private volatile DeadLetters deadLetters = new DeadLetters(0, null, null);

    /**
     * @param consumers creates a consumer of raw state records with auto-commit off (one per (re)start)
     * @param topics    the state topics to apply
     */
    public StateApplier(Supplier<Consumer<byte[], byte[]>> consumers, List<String> topics,
                        StateRecordDecoder decoder, ReplicaSink store) {
        this(consumers, topics, decoder, store, head -> { }, new CatchUpTracker(), ReplicaMetrics.NONE, Clock.systemUTC());
    }

    /**
     * @param onCommitted told the store's feed head after every commit (and once at start)
     * @param catchUp  told the positions reached by committed batches (readiness)
     * @param clock    the apply time for freshness metrics
     */
    public StateApplier(Supplier<Consumer<byte[], byte[]>> consumers, List<String> topics, StateRecordDecoder decoder,
                        ReplicaSink store, LongConsumer onCommitted, CatchUpTracker catchUp, ReplicaMetrics metrics, Clock clock) {
        this.consumers = consumers;
        this.topics = List.copyOf(topics);
        this.decoder = decoder;
        this.store = store;
        this.onCommitted = onCommitted;
        this.catchUp = catchUp;
        this.metrics = metrics;
        this.clock = clock;
        this.thread = new Thread(this::run, "state-applier");
    }

    public StateApplier start() {
        thread.start();
        return this;
    }

    public Status status() {
        return status;
    }

    public DeadLetters deadLetters() {
        return deadLetters;
    }

    /** Stops polling, lets the current batch finish, closes the consumer. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        stopRequested.countDown();
        Consumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        thread.join(STOP_TIMEOUT.toMillis());
        if (thread.isAlive()) {
            LOG.warn("State applier did not stop within {}", STOP_TIMEOUT);
        }
    }

    private void run() {
        try {
            applyUntilStopped();
            LOG.info("State applier stopped");
        } catch (Error fatal) {
            // No retry helps against an Error (e.g. a class gone from the classpath): say so and report DOWN.
            status = new Status(false, "applier thread died: " + fatal, Instant.now(), status.batchesApplied());
            LOG.error("State applier died; this replica applies no more changes until it is restarted", fatal);
        }
    }

    private void applyUntilStopped() {
        Backoff retry = new Backoff(FIRST_RETRY, LAST_RETRY);
        while (running) {
            try (Consumer<byte[], byte[]> current = consumers.get()) {
                consumer = current;
                if (!running) {
                    break; // close() may have run before this consumer was visible to it
                }
                // Where the feed stands, also after a restart with an existing store.
                long head = store.feedHead();
                onCommitted.accept(head);
                metrics.watermark(Map.of(), head);
                current.subscribe(topics, new SeekToStoredOffsets(current, store));
                LOG.info("Applying {}", topics);
                while (running) {
                    applyNextBatch(current);
                    retry.reset();
                }
            } catch (WakeupException e) {
                // close() woke the consumer up; the loop condition ends the thread.
            } catch (RuntimeException e) {
                status = new Status(false, describe(e), Instant.now(), status.batchesApplied());
                // The failure's text can carry record data (a store message quotes values): escaped, never raw.
                String failure = LogSafe.of(describe(e));
                boolean firstFailure = retry.firstFailure();
                Duration retryIn = retry.next();
                if (firstFailure) {
                    LOG.error("State applier failed ({}); nothing of the failed batch is stored; restarting the consumer "
                            + "from the stored offsets in {} ms", failure, retryIn.toMillis());
                    LOG.debug("State applier failure", e);
                } else {
                    // The same outage, most likely: one line per retry.
                    LOG.warn("State applier failed again ({}); next restart in {} ms", failure, retryIn.toMillis());
                }
                awaitStopOr(retryIn);
            } finally {
                consumer = null;
            }
        }
    }

    private void applyNextBatch(Consumer<byte[], byte[]> current) {
        ConsumerRecords<byte[], byte[]> records = current.poll(POLL_TIMEOUT);
        if (!records.isEmpty()) {
            long started = System.nanoTime();
            List<StateChange> changes = new ArrayList<>(records.count());
            List<RecordOrigin> origins = new ArrayList<>(records.count());
            List<DeadLetter> refused = new ArrayList<>();
            Map<TopicPartition, Long> nextOffsets = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                StateRecordDecoder.Decoded decodedRecord = decoder.decode(record);
                if (decodedRecord.change() != null) {
                    changes.add(decodedRecord.change());
                    origins.add(decodedRecord.origin());
                } else {
                    refused.add(decodedRecord.refused());
                }
                nextOffsets.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
            }
            long decoded = System.nanoTime();
            AppliedBatch applied = store.apply(new StateBatch(changes, nextOffsets, origins, refused));
            onCommitted.accept(applied.feedHead());
            metrics.batchCommitted(records.count(), refused.size(), applied, clock.millis());
            recordDeadLetters(applied.deadLetters());
            metrics.watermark(nextOffsets, applied.feedHead());
            commitForMonitoring(current, nextOffsets);
            LOG.debug("Applied {} records ({} changes, {} rows changed) up to {}: decoded in {} ms, stored in {} ms",
                    records.count(), changes.size(), applied.applied().size(), nextOffsets,
                    (decoded - started) / 1_000_000, (System.nanoTime() - decoded) / 1_000_000);
        }
        trackProgress(current);
        Status last = status;
        status = new Status(true, last.lastFailure(), last.lastFailureAt(), last.batchesApplied() + (records.isEmpty() ? 0 : 1));
    }

    private void recordDeadLetters(List<DeadLetter> committed) {
        if (committed.isEmpty()) {
            return;
        }
        DeadLetters before = deadLetters;
        deadLetters = new DeadLetters(before.count() + committed.size(), committed.get(committed.size() - 1), clock.instant());
        LOG.warn("{} records of this batch were written to replica_dead_letter (GET /v1/replica/dead-letters); "
                + "every other record was applied", committed.size());
    }

    /**
     * Readiness and lag, after the batch is committed: the positions now cover only stored records.
     * The catch-up target is the end of every assigned partition, as of its assignment (see {@link CatchUpTracker}).
     */
    private void trackProgress(Consumer<byte[], byte[]> current) {
        Set<TopicPartition> assigned = current.assignment();
        if (assigned.isEmpty()) {
            return;
        }
        if (catchUp.follow(assigned, partitions -> current.endOffsets(partitions, OFFSETS_TIMEOUT))) {
            LOG.info("Bootstrapping: ready once caught up with the end offsets {}", catchUp.progress().target());
        }
        Map<TopicPartition, Long> positions = new HashMap<>();
        Map<TopicPartition, Long> lag = new HashMap<>();
        for (TopicPartition partition : assigned) {
            positions.put(partition, current.position(partition, OFFSETS_TIMEOUT));
            current.currentLag(partition).ifPresent(records -> lag.put(partition, records));
        }
        boolean before = catchUp.caughtUp();
        boolean now = catchUp.committedPositions(positions);
        if (now && !before) {
            LOG.info("Caught up: every assigned partition is applied to its end offset as of its assignment; ready");
        }
        catchUp.lag(lag);
        metrics.caughtUp(now);
        metrics.lag(lag);
    }

    /** Lag dashboards read the group's committed offsets; the replica itself never does. */
    private static void commitForMonitoring(Consumer<byte[], byte[]> current, Map<TopicPartition, Long> nextOffsets) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        nextOffsets.forEach((partition, next) -> offsets.put(partition, new OffsetAndMetadata(next)));
        current.commitAsync(offsets, (committed, error) -> {
            if (error != null) {
                LOG.debug("Could not commit offsets {} to Kafka (monitoring only; the store has them): {}", committed, error.toString());
            }
        });
    }

    /** The failure and its root cause: Kafka wraps a failing rebalance listener in a generic message. */
    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == failure ? String.valueOf(failure.getMessage()) : failure.getMessage() + ": " + root.getMessage();
    }

    private void awaitStopOr(Duration timeout) {
        try {
            stopRequested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
