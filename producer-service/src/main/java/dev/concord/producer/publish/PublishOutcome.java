package dev.concord.producer.publish;

/** An accepted write: what the client is told, and whether it is the stored answer to an earlier identical request. */
public record PublishOutcome(PublishAccepted accepted, boolean replayed) {
}
