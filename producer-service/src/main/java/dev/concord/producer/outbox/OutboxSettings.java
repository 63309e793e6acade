package dev.concord.producer.outbox;

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
