package dev.concord.producer.outbox;

import dev.concord.contract.settings.Settings;
import dev.concord.producer.write.WriterIds;
import java.time.Duration;

/**
 * How the relay works a database's outbox.
 *
 * @param relayId      who holds a claim (for operators reading the table): the producer's writer id
 * @param writerId     the events' writer: stable per source database, since the clocks come from it
 * @param batchSize    rows claimed per round
 * @param lease        how long a claim holds; a relay that dies mid-batch loses its rows after this
 * @param pollInterval pause between rounds when the outbox is empty
 * @param recordChunk  most rows whose acknowledgement is recorded (deleted) in one statement; smaller
 *                     means fewer republished rows after a crash, larger fewer statements
 */
public record OutboxSettings(String relayId, String writerId, int batchSize, Duration lease, Duration pollInterval,
                             int recordChunk) {

    /** What {@code concord.outbox.*} sets; the relay holds claims under this producer's writer id. */
    public static OutboxSettings from(Settings settings) {
        return new OutboxSettings(WriterIds.configured(settings),
                settings.text("concord.outbox.writer-id", "outbox"),
                settings.count("concord.outbox.batch-size", 200, 1, 100_000),
                settings.duration("concord.outbox.lease", Duration.ofSeconds(30)),
                settings.duration("concord.outbox.poll-interval", Duration.ofMillis(500)),
                settings.count("concord.outbox.record-chunk", 50, 1, 100_000));
    }

    public OutboxSettings {
        WriterIds.requireConfigured(writerId, "concord.outbox.writer-id");
        if (batchSize < 1) {
            throw new IllegalArgumentException("outbox batch size must be at least 1");
        }
        if (recordChunk < 1) {
            throw new IllegalArgumentException("outbox record chunk must be at least 1");
        }
        if (lease.toMillis() < 100) {
            throw new IllegalArgumentException("outbox lease must be at least 100 ms");
        }
    }
}
