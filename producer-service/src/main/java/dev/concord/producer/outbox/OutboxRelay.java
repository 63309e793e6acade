package dev.concord.producer.outbox;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.text.LogSafe;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.EventPublisher;
import dev.concord.producer.write.PublishFailedException;
import dev.concord.producer.write.PublishedEvent;
import dev.concord.producer.write.RefusedException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the rows of a PostgreSQL transactional outbox ({@code concord_outbox}, see
 * {@code db/concord-outbox/V1__concord_outbox.sql}) as {@link EntityEvent}s, at least once, in order per entity.
 *
 * <p>Each round: <b>claim</b> up to {@code batchSize} rows in seq order with
 * {@code SELECT ... FOR UPDATE SKIP LOCKED}, as a lease (claimed_by, claimed_until) committed at once,
 * taking only rows with no earlier row of the same entity leased by a live relay — so any number of
 * relays share the work and one entity's rows are never in flight at two relays. Then <b>send</b> them
 * all (the idempotent producer keeps their order per partition), and <b>record</b> each run of
 * acknowledged rows by deleting them, in chunks of at most {@code recordChunk}, as the acknowledgements
 * come in. A row whose send fails is released, with every later row of the batch, for the next round.
 *
 * <p>Crash safety: a relay that dies keeps its lease until it expires; then another relay (or itself,
 * restarted) republishes exactly the rows whose acknowledgement was not yet recorded. Republished rows
 * carry the same event id (the row's {@code event_id}) and clock (the database's, from the row), so
 * sync-processor's dedup drops the repeats and, should they arrive late, their clock orders them.
 *
 * <p>A row that can never become an event (undeclared type, payload not matching the schema) is moved
 * to {@code concord_outbox_dead} with the reason and logged, instead of blocking its entity forever.
 *
 * <p>This class is the loop; the statements are {@link OutboxTable}'s, and a row becomes an event in
 * {@link OutboxRowEvents}.
 */
public final class OutboxRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final long BACKLOG_SAMPLE_NANOS = 5_000_000_000L;

    private final OutboxTable table;
    private final OutboxRowEvents rowEvents;
    private final EventPublisher publisher;
    private final OutboxSettings settings;
    private final WriteMetrics metrics;
    private final IntConsumer onRecorded;
    private ScheduledExecutorService loop;
    private long backlogSampledAt;

    /**
     * @param onRecorded told the number of rows each time a run of acknowledged rows is recorded (metrics, tests)
     */
    public OutboxRelay(DataSource dataSource, ConcordContract contract, EventPublisher publisher, EventFactory events,
                       OutboxSettings settings, WriteMetrics metrics, IntConsumer onRecorded) {
        this.table = new OutboxTable(dataSource);
        this.rowEvents = new OutboxRowEvents(events, contract.types(), settings.writerId());
        this.publisher = publisher;
        this.settings = settings;
        this.metrics = metrics;
        this.onRecorded = onRecorded;
    }

    /** Relays in the background: rounds back to back while there are rows, one poll interval apart when idle. */
    public synchronized void start() {
        loop = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "outbox-relay"));
        loop.scheduleWithFixedDelay(this::drain, 0, settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Outbox relay {} started: batches of {}, lease {}, events written as '{}'", settings.relayId(),
                settings.batchSize(), settings.lease(), settings.writerId());
    }

    private void drain() {
        try {
            int claimed;
            do {
                claimed = relayOnce();
                sampleBacklog();
            } while (claimed > 0 && !Thread.currentThread().isInterrupted()); // while there were rows: next round at once
        } catch (SQLException | RuntimeException e) {
            // The database or Kafka is away: claimed rows stay leased and return after the lease; retry next tick.
            LOG.warn("Outbox relay round failed ({}); retrying in {}", LogSafe.of(e), settings.pollInterval());
        }
    }

    /**
     * One round: claim, send, record. Returns the number of rows claimed (0 = the outbox had nothing
     * this relay may take).
     */
    public int relayOnce() throws SQLException {
        List<OutboxRow> rows = table.claim(settings.relayId(), settings.lease(), settings.batchSize());
        List<InFlight> inFlight = new ArrayList<>(rows.size());
        for (OutboxRow row : rows) {
            EntityEvent event;
            try {
                event = rowEvents.toEvent(row);
            } catch (RefusedException e) {
                // The refusal an HTTP client would get for the same write, as the dead row's reason.
                metrics.refused(WriteMetrics.Source.OUTBOX, e.problem());
                bury(row, e.problem().title() + ": " + e.getMessage());
                continue;
            } catch (IllegalArgumentException e) {
                metrics.refused(WriteMetrics.Source.OUTBOX, "invalid-row");
                bury(row, e.getMessage());
                continue;
            }
            inFlight.add(new InFlight(row, publisher.publish(WriteMetrics.Source.OUTBOX, event)));
        }
        record(inFlight);
        return rows.size();
    }

    private record InFlight(OutboxRow row, CompletableFuture<PublishedEvent> acknowledged) {
    }

    /** Deletes acknowledged rows as their acknowledgements arrive, in order; releases the rest at the first failure. */
    private void record(List<InFlight> inFlight) throws SQLException {
        List<Long> acknowledged = new ArrayList<>();
        for (int i = 0; i < inFlight.size(); i++) {
            try {
                inFlight.get(i).acknowledged().join();
            } catch (CompletionException failed) {
                recordDone(acknowledged);
                releaseFrom(inFlight.subList(i, inFlight.size()), failed.getCause());
                return;
            }
            acknowledged.add(inFlight.get(i).row().seq());
            boolean nextPending = i + 1 < inFlight.size() && !inFlight.get(i + 1).acknowledged().isDone();
            if (acknowledged.size() >= settings.recordChunk() || nextPending) {
                recordDone(acknowledged);
            }
        }
        recordDone(acknowledged);
    }

    private void recordDone(List<Long> seqs) throws SQLException {
        if (seqs.isEmpty()) {
            return;
        }
        table.delete(seqs);
        int count = seqs.size();
        seqs.clear();
        onRecorded.accept(count);
    }

    /**
     * After the first row Kafka did not acknowledge: once nothing of the batch is in flight any more (so no row is sent
     * twice at once), the rows Kafka did acknowledge are recorded (sending them again would only duplicate them), a row
     * Kafka refuses for itself ({@link PublishFailedException#refusedForGood}) is moved to {@code concord_outbox_dead} with the reason, and
     * the others are released for the next round.
     */
    private void releaseFrom(List<InFlight> rest, Throwable cause) throws SQLException {
        CompletableFuture.allOf(rest.stream().map(InFlight::acknowledged).toArray(CompletableFuture[]::new))
                .handle((ok, error) -> null).join();
        List<Long> acknowledged = new ArrayList<>();
        List<Long> released = new ArrayList<>();
        for (InFlight sent : rest) {
            Throwable failure = sent.acknowledged().handle((ok, error) -> error).join();
            if (failure == null) {
                acknowledged.add(sent.row().seq());
            } else if (PublishFailedException.refusedForGood(failure)) {
                metrics.refused(WriteMetrics.Source.OUTBOX, "refused-by-kafka");
                bury(sent.row(), "Kafka refused the event: " + PublishFailedException.kafkaCause(failure));
            } else {
                released.add(sent.row().seq());
            }
        }
        recordDone(acknowledged);
        if (!released.isEmpty()) {
            table.release(released, String.valueOf(cause));
            LOG.warn("Kafka did not acknowledge outbox row {} ({}); released it and {} later row(s) of the batch for the next round",
                    released.get(0), LogSafe.of(cause), released.size() - 1);
        }
    }


    private void bury(OutboxRow row, String reason) throws SQLException {
        table.bury(row.seq(), reason);
        LOG.error("Outbox row {} ({} {}/{}, event {}) cannot become an event and was moved to concord_outbox_dead: {}",
                row.seq(), LogSafe.of(row.op()), LogSafe.of(row.type()), LogSafe.of(row.entityId()), row.eventId(), LogSafe.of(reason));
    }

    /**
     * Measures what waits in the outbox (rows, age of the oldest) for the backlog meters, at most every few
     * seconds: the count reads the whole table, and an idle relay polls every poll interval.
     */
    private void sampleBacklog() throws SQLException {
        long now = System.nanoTime();
        if (backlogSampledAt != 0 && now - backlogSampledAt < BACKLOG_SAMPLE_NANOS) {
            return;
        }
        backlogSampledAt = now;
        measureBacklog();
    }

    /** Reads the outbox's backlog into the meters now. */
    void measureBacklog() throws SQLException {
        OutboxTable.Backlog backlog = table.backlog();
        metrics.outboxBacklog(backlog.rows(), backlog.oldest());
    }

    @Override
    public synchronized void close() {
        if (loop != null) {
            loop.shutdownNow();
            try {
                loop.awaitTermination(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
