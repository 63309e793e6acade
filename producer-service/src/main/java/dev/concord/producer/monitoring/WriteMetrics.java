package dev.concord.producer.monitoring;

import dev.concord.contract.problem.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * producer-service's meters at {@code /prometheus}, one per question an operator asks of the write side:
 * <ul>
 *   <li>{@code concord.producer.events{source,type,outcome=published|failed}}: events Kafka acknowledged, or
 *       did not (the write got a 503, the outbox row or CDC change is retried);</li>
 *   <li>{@code concord.producer.publish.latency{source}}: send to acknowledgement;</li>
 *   <li>{@code concord.producer.refused{source,reason}}: writes refused before anything was sent (the
 *       problem type of a 4xx, an outbox row moved to {@code concord_outbox_dead}, a CDC change skipped);</li>
 *   <li>{@code concord.producer.outbox.backlog} (rows) and {@code concord.producer.outbox.oldest.age}
 *       (seconds): what the relay has not published yet, and how long the oldest row has waited;</li>
 *   <li>{@code concord.producer.cdc.lag} (seconds): from the source commit of the last acknowledged change to
 *       its acknowledgement.</li>
 * </ul>
 * Tags carry declared type names and fixed words only, never request input, so their number stays bounded.
 */
public final class WriteMetrics {

    /** Where a write came from. */
    public enum Source {
        HTTP, OUTBOX, CDC;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    // Looked up on every acknowledgement (the producer's I/O thread): keyed by value records, not built strings.
    private record EventsKey(Source source, String type, String outcome) {
    }

    private record RefusedKey(Source source, String reason) {
    }

    private final Map<EventsKey, Counter> events = new ConcurrentHashMap<>();
    private final Map<RefusedKey, Counter> refusals = new ConcurrentHashMap<>();
    private final Map<Source, Timer> latency = new ConcurrentHashMap<>();
    private final AtomicLong outboxBacklog = new AtomicLong();
    private final AtomicLong outboxOldestAgeMillis = new AtomicLong();
    private final AtomicLong cdcLagMillis = new AtomicLong();

    public WriteMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("concord.producer.outbox.backlog", outboxBacklog, AtomicLong::get).baseUnit("rows")
                .description("outbox rows not yet published").register(registry);
        Gauge.builder("concord.producer.outbox.oldest.age", outboxOldestAgeMillis, age -> age.get() / 1000.0).baseUnit("seconds")
                .description("how long the oldest unpublished outbox row has waited").register(registry);
        Gauge.builder("concord.producer.cdc.lag", cdcLagMillis, lag -> lag.get() / 1000.0).baseUnit("seconds")
                .description("source commit to Kafka acknowledgement of the last captured change").register(registry);
    }

    /** Meters that go nowhere: for tools and tests that run the write paths without a service. */
    public static WriteMetrics none() {
        return new WriteMetrics(new SimpleMeterRegistry());
    }

    public void published(Source source, String type, Duration sendToAck) {
        events(source, type, "published").increment();
        latency.computeIfAbsent(source, s -> Timer.builder("concord.producer.publish.latency").tag("source", s.tag())
                .description("send to Kafka acknowledgement").publishPercentileHistogram().register(registry)).record(sendToAck);
    }

    public void failed(Source source, String type) {
        events(source, type, "failed").increment();
    }

    /** @param reason a fixed word: the problem type's slug, or the kind of failure */
    public void refused(Source source, String reason) {
        refusals.computeIfAbsent(new RefusedKey(source, reason), key -> Counter.builder("concord.producer.refused")
                .tag("source", source.tag()).tag("reason", reason)
                .description("writes refused before anything was sent").register(registry)).increment();
    }

    /** A refusal answered with this problem: counted under its type's last segment (e.g. {@code invalid-payload}). */
    public void refused(Source source, Problem problem) {
        String type = problem.type();
        refused(source, type == null ? "unknown" : type.substring(type.lastIndexOf('/') + 1));
    }

    public void outboxBacklog(long rows, Duration oldestAge) {
        outboxBacklog.set(rows);
        outboxOldestAgeMillis.set(oldestAge.toMillis());
    }

    public void cdcLag(Duration commitToAck) {
        cdcLagMillis.set(Math.max(0, commitToAck.toMillis()));
    }

    private Counter events(Source source, String type, String outcome) {
        return events.computeIfAbsent(new EventsKey(source, type, outcome), key -> Counter.builder("concord.producer.events")
                .tag("source", source.tag()).tag("type", type).tag("outcome", outcome)
                .description("events sent to Kafka, by outcome").register(registry));
    }
}
