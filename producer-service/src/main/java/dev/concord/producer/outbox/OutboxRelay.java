package dev.concord.producer.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EventSource;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.text.LogSafe;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.source.RowMapping;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.EventPublisher;
import dev.concord.producer.write.PublishedEvent;
import dev.concord.producer.write.RefusedException;
import dev.concord.producer.write.StrictJsonReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
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
 */
public final class OutboxRelay implements AutoCloseable {

    public static final String SCHEMA_RESOURCE = "db/concord-outbox/V1__concord_outbox.sql";
    static final String SERVICE_NAME = "outbox-relay";

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final ObjectMapper JSON = StrictJsonReader.boundedMapper(false);
    // One claim at a time per database: claims take milliseconds, and serialising them makes the
    // "no earlier row of the entity is leased" check exact. Publishing runs outside this lock.
    private static final long CLAIM_LOCK = 0x436f6e636f7264L; // "Concord"
    private static final String CLAIM = """
            UPDATE concord_outbox o
               SET claimed_by = ?, claimed_until = clock_timestamp() + (? * interval '1 millisecond'), attempts = attempts + 1
             WHERE o.seq IN (
                   SELECT c.seq FROM concord_outbox c
                    WHERE (c.claimed_until IS NULL OR c.claimed_until < clock_timestamp())
                      AND NOT EXISTS (SELECT 1 FROM concord_outbox e
                                       WHERE e.entity_type = c.entity_type AND e.entity_id = c.entity_id
                                         AND e.seq < c.seq AND e.claimed_until >= clock_timestamp())
                    ORDER BY c.seq
                    LIMIT ?
                      FOR UPDATE SKIP LOCKED)
            RETURNING seq, event_id, entity_type, entity_id, op, payload::text, changed_fields, expected_version, clock_millis, tx_id
            """;

    private static final long BACKLOG_SAMPLE_NANOS = 5_000_000_000L;

    private final DataSource dataSource;
    private final ConcordContract contract;
    private final EventPublisher publisher;
    private final EventFactory events;
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
        this.dataSource = dataSource;
        this.contract = contract;
        this.publisher = publisher;
        this.events = events;
        this.settings = settings;
        this.metrics = metrics;
        this.onRecorded = onRecorded;
    }

    /** Creates the outbox table, the dead-row table and the append and capture functions if absent (idempotent). */
    public static void createSchema(DataSource dataSource) throws SQLException {
        String ddl;
        try (InputStream in = OutboxRelay.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SCHEMA_RESOURCE, e);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // Two relays starting together must not replace the functions concurrently.
                s.execute("SELECT pg_advisory_xact_lock(" + (CLAIM_LOCK + 1) + ")");
                s.execute(ddl);
            }
            c.commit();
        }
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
            while (!Thread.currentThread().isInterrupted() && relayOnce() > 0) {
                sampleBacklog(); // next round right away
            }
            sampleBacklog();
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
        List<Row> rows = claim();
        List<InFlight> inFlight = new ArrayList<>(rows.size());
        for (Row row : rows) {
            EntityEvent event;
            try {
                event = toEvent(row);
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
            inFlight.add(new InFlight(row, publisher.publish(WriteMetrics.Source.OUTBOX,
                    contract.topics().events(contract.types().require(row.type())), event)));
        }
        record(inFlight);
        return rows.size();
    }

    private record Row(long seq, UUID eventId, String type, String entityId, String op, String payload,
                       List<String> changedFields, Long expectedVersion, long clockMillis, long txId) {
    }

    private record InFlight(Row row, CompletableFuture<PublishedEvent> acknowledged) {
    }

    private List<Row> claim() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<Row> rows = new ArrayList<>();
            try (Statement lock = c.createStatement()) {
                lock.execute("SELECT pg_advisory_xact_lock(" + CLAIM_LOCK + ")");
            }
            try (PreparedStatement claim = c.prepareStatement(CLAIM)) {
                claim.setString(1, settings.relayId());
                claim.setLong(2, settings.lease().toMillis());
                claim.setInt(3, settings.batchSize());
                try (ResultSet rs = claim.executeQuery()) {
                    while (rs.next()) {
                        Array changed = rs.getArray(7);
                        rows.add(new Row(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6),
                                changed == null ? null : Arrays.asList((String[]) changed.getArray()),
                                rs.getObject(8, Long.class), rs.getLong(9), rs.getLong(10)));
                    }
                }
            }
            c.commit();
            rows.sort(Comparator.comparingLong(Row::seq));
            return rows;
        }
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
        try (Connection c = dataSource.getConnection(); PreparedStatement delete = c.prepareStatement(
                "DELETE FROM concord_outbox WHERE seq = ANY (?)")) {
            delete.setArray(1, c.createArrayOf("bigint", seqs.toArray()));
            delete.executeUpdate();
        }
        int count = seqs.size();
        seqs.clear();
        onRecorded.accept(count);
    }

    private void releaseFrom(List<InFlight> rest, Throwable cause) throws SQLException {
        // Wait until nothing of this batch is in flight any more, so the rows are not sent twice at once.
        CompletableFuture.allOf(rest.stream().map(InFlight::acknowledged).toArray(CompletableFuture[]::new))
                .handle((ok, error) -> null).join();
        List<Long> seqs = rest.stream().map(f -> f.row().seq()).toList();
        try (Connection c = dataSource.getConnection(); PreparedStatement release = c.prepareStatement(
                "UPDATE concord_outbox SET claimed_by = NULL, claimed_until = NULL, last_error = ? WHERE seq = ANY (?)")) {
            release.setString(1, String.valueOf(cause));
            release.setArray(2, c.createArrayOf("bigint", seqs.toArray()));
            release.executeUpdate();
        }
        LOG.warn("Kafka did not acknowledge outbox row {} ({}); released it and {} later row(s) of the batch for the next round",
                seqs.get(0), LogSafe.of(cause), seqs.size() - 1);
    }

    private void bury(Row row, String reason) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement move = c.prepareStatement("""
                    INSERT INTO concord_outbox_dead (seq, event_id, entity_type, entity_id, op, payload, changed_fields,
                                                     expected_version, clock_millis, tx_id, created_at, error)
                    SELECT seq, event_id, entity_type, entity_id, op, payload, changed_fields, expected_version,
                           clock_millis, tx_id, created_at, ? FROM concord_outbox WHERE seq = ?
                    ON CONFLICT (seq) DO NOTHING""");
                 PreparedStatement delete = c.prepareStatement("DELETE FROM concord_outbox WHERE seq = ?")) {
                move.setString(1, reason);
                move.setLong(2, row.seq());
                move.executeUpdate();
                delete.setLong(1, row.seq());
                delete.executeUpdate();
            }
            c.commit();
        }
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
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)) * 1000, 0)::bigint"
                     + " FROM concord_outbox")) {
            rs.next();
            metrics.outboxBacklog(rs.getLong(1), Duration.ofMillis(Math.max(0, rs.getLong(2))));
        }
    }

    /** The row's event, made as every write's is ({@link EventFactory}); a refusal moves the row to the dead table. */
    private EntityEvent toEvent(Row row) {
        Operation op = operation(row.op());
        ObjectNode body = op == Operation.DELETE ? null : entityJson(row);
        EventFactory.Prepared prepared = events.prepare(new EventFactory.Write(op, row.type(), row.entityId(), body,
                row.changedFields(), row.expectedVersion(), "payload", "expected_version"));
        // The database's clock at append, with seq as the logical part: the same for every relay and every retry.
        HlcTimestamp clock = new HlcTimestamp(row.clockMillis(), (int) (row.seq() & Integer.MAX_VALUE));
        EventSource source = EventSource.newBuilder(EntityEvents.source(SERVICE_NAME))
                .setTransactionId(Long.toString(row.txId()))
                .setPosition("concord_outbox.seq=" + row.seq())
                .build();
        return events.event(prepared, row.eventId(), clock, settings.writerId(), source);
    }

    private static Operation operation(String op) {
        try {
            return Operation.valueOf(op);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("op '" + op + "' is not one of UPSERT, PATCH, DELETE", e);
        }
    }

    /**
     * The row's payload as the entity's fields: a JSON object whose keys may be column names (snake_case) of the
     * application's table, mapped to the type's fields; left as it is for an undeclared type, which the factory refuses.
     */
    private ObjectNode entityJson(Row row) {
        JsonNode payload;
        try {
            payload = row.payload() == null ? null : JSON.readTree(row.payload());
        } catch (IOException e) {
            throw new IllegalArgumentException("payload is not JSON: " + e.getMessage(), e);
        }
        if (payload == null) {
            return null;
        }
        if (!(payload instanceof ObjectNode object)) {
            throw new IllegalArgumentException("payload must be a JSON object for " + row.op());
        }
        return contract.types().find(row.type())
                .map(type -> RowMapping.toEntity(object, type.schema(), false, new HashSet<>()))
                .orElse(object);
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
