package dev.concord.producer.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.retry.Backoff;
import dev.concord.contract.text.LogSafe;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.EventPublisher;
import dev.concord.producer.write.PublishFailedException;
import dev.concord.producer.write.PublishedEvent;
import dev.concord.producer.write.RefusedException;
import dev.concord.producer.write.StrictJsonReader;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change data capture: Debezium's embedded engine reads PostgreSQL's logical replication stream
 * (pgoutput) for the configured tables and publishes each row change as an {@link EntityEvent}
 * ({@link CdcEventMapper}).
 *
 * <p>At least once, in log order: each batch is sent, and only when Kafka acknowledged every event of
 * it are its records marked processed, so the engine's stored offset (a local file) never runs ahead
 * of Kafka. A failed send is retried (with backoff) until it succeeds or the capture stops; stopping
 * mid-batch leaves the offset where it was, and a restart resumes there — re-sending, with the same
 * event ids, whatever was not yet recorded. A change that cannot become an event (its row does not
 * fit the type's schema) is logged with its LSN and skipped: it can never succeed, and holding the
 * slot would make the database keep WAL forever.
 */
public final class CdcCapture implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CdcCapture.class);
    private static final ObjectMapper JSON = StrictJsonReader.boundedMapper(false);

    private final CdcSettings settings;
    private final WriteMetrics metrics;
    private final EventPublisher publisher;
    private final CdcEventMapper mapper;
    private final AtomicLong published = new AtomicLong();
    private volatile boolean stopping;
    private DebeziumEngine<ChangeEvent<String, String>> engine;
    private ExecutorService runner;

    public CdcCapture(CdcSettings settings, ConcordContract contract, EventPublisher publisher, EventFactory events,
                      WriteMetrics metrics) {
        this.settings = settings;
        this.publisher = publisher;
        this.metrics = metrics;
        this.mapper = new CdcEventMapper(contract, events, settings.tables(), settings.slot(), settings.writerId());
    }

    public synchronized void start() throws IOException {
        java.nio.file.Files.createDirectories(settings.offsetFile().toAbsolutePath().getParent());
        engine = DebeziumEngine.create(Json.class)
                .using(settings.engineProperties())
                .notifying(this::handleBatch)
                .using((success, message, error) -> {
                    if (!success && !stopping) {
                        LOG.error("CDC engine stopped: {}", message, error);
                    }
                })
                .build();
        runner = Executors.newSingleThreadExecutor(r -> new Thread(r, "cdc-" + settings.slot()));
        runner.execute(engine);
        LOG.info("CDC started: slot {}, tables {}, offsets in {}", settings.slot(), settings.tables(), settings.offsetFile());
    }

    /** Events acknowledged by Kafka since start (for tests and metrics). */
    public long publishedCount() {
        return published.get();
    }

    private void handleBatch(List<ChangeEvent<String, String>> records,
                             DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) throws InterruptedException {
        List<EntityEvent> events = new ArrayList<>(records.size());
        for (ChangeEvent<String, String> record : records) {
            toEvent(record).ifPresent(events::add);
        }
        sendUntilAcknowledged(events);
        for (ChangeEvent<String, String> record : records) {
            committer.markProcessed(record);
        }
        committer.markBatchFinished();
    }

    private Optional<EntityEvent> toEvent(ChangeEvent<String, String> record) {
        try {
            JsonNode key = record.key() == null ? null : JSON.readTree(record.key());
            JsonNode value = record.value() == null ? null : JSON.readTree(record.value());
            return mapper.toEvent(key, value);
        } catch (IOException | RefusedException | IllegalArgumentException e) {
            metrics.refused(WriteMetrics.Source.CDC, "invalid-change");
            LOG.error("CDC: change {} on {} cannot become an event and is skipped: {}", LogSafe.of(record.key()),
                    LogSafe.of(record.destination()), LogSafe.of(e.getMessage()));
            return Optional.empty();
        }
    }

    /**
     * Sends the batch's events until Kafka has acknowledged each, re-sending only those it did not. An event Kafka
     * refuses for itself ({@link PublishFailedException#refusedForGood}: over the topic's limit, invalid) is logged and
     * skipped like a change that cannot become an event: retried, it would hold the capture, and the replication slot's
     * WAL, for ever.
     */
    private void sendUntilAcknowledged(List<EntityEvent> batch) throws InterruptedException {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        List<EntityEvent> events = batch;
        while (true) {
            List<CompletableFuture<PublishedEvent>> sent = new ArrayList<>(events.size());
            for (EntityEvent event : events) {
                sent.add(publisher.publish(WriteMetrics.Source.CDC, event));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handle((ok, error) -> null).join();
            List<EntityEvent> unacknowledged = new ArrayList<>();
            Throwable lastFailure = null;
            for (int i = 0; i < events.size(); i++) {
                Throwable failure = sent.get(i).handle((ok, error) -> error).join();
                if (failure == null) {
                    published.incrementAndGet();
                } else if (PublishFailedException.refusedForGood(failure)) {
                    EntityEvent event = events.get(i);
                    metrics.refused(WriteMetrics.Source.CDC, "refused-by-kafka");
                    LOG.error("CDC: Kafka refuses the event of change {}/{} for good and it is skipped: {}",
                            LogSafe.of(event.getEntityType()), LogSafe.of(event.getEntityId()), LogSafe.of(failure.getMessage()));
                } else {
                    unacknowledged.add(events.get(i));
                    lastFailure = failure;
                }
            }
            if (unacknowledged.isEmpty()) {
                if (!batch.isEmpty()) {
                    // A captured change's clock is its source commit time (see CdcEventMapper): how far behind the source we are.
                    metrics.cdcLag(Duration.ofMillis(System.currentTimeMillis() - batch.get(batch.size() - 1).getClock().getPhysicalMillis()));
                }
                return;
            }
            if (stopping) {
                throw new InterruptedException("CDC stopping; " + unacknowledged.size() + " events of this batch will be re-sent after restart");
            }
            Duration wait = backoff.next();
            LOG.warn("CDC: Kafka did not acknowledge {} of a batch of {} events ({}); re-sending those in {}", unacknowledged.size(),
                    batch.size(), LogSafe.of(lastFailure), wait);
            TimeUnit.MILLISECONDS.sleep(wait.toMillis());
            events = unacknowledged;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        stopping = true;
        if (engine != null) {
            engine.close();
        }
        if (runner != null) {
            runner.shutdown();
            try {
                if (!runner.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.warn("CDC engine did not stop within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
