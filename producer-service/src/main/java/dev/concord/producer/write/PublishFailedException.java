package dev.concord.producer.write;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.problem.Problem;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Kafka did not acknowledge an event (broker unreachable, timeout, record too large, ...) → 503 with
 * {@code Retry-After}: the write was valid, Kafka is (for now) not taking it. The event may or may not
 * have been written; a retry is safe (a full replacement, or — with an {@code Idempotency-Key} — the
 * same event id, which the processor deduplicates). The one exception is a record too large for
 * Kafka → 413, which no retry fixes.
 */
public final class PublishFailedException extends RefusedException {

    static final String RETRY_AFTER_SECONDS = "5";

    private final transient EntityEvent event;

    public PublishFailedException(EntityEvent event, String topic, Throwable cause) {
        super("Kafka did not acknowledge event " + event.getEventId() + " for " + event.getEntityType() + "/"
                + event.getEntityId() + " on " + topic + ": " + cause.getMessage(), cause);
        this.event = event;
    }

    public EntityEvent event() {
        return event;
    }

    private boolean tooLarge() {
        return getCause() instanceof RecordTooLargeException;
    }

    /**
     * Whether Kafka refused the event for itself, so that sending it again cannot succeed: over what the topic accepts
     * ({@code max.message.bytes} below what Concord derives, say) or a record the broker finds invalid. (Not a whole
     * batch refused as too large: good records share it.) The HTTP door answers 413; the outbox and CDC set such an
     * event aside instead of retrying it, and everything behind it, for ever.
     */
    public static boolean refusedForGood(Throwable failure) {
        Throwable cause = kafkaCause(failure);
        return cause instanceof RecordTooLargeException || cause instanceof org.apache.kafka.common.InvalidRecordException;
    }

    /** What Kafka said, under the future's and this exception's wrapping. */
    public static Throwable kafkaCause(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof PublishFailedException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Override
    public int status() {
        return tooLarge() ? 413 : 503;
    }

    @Override
    public Problem problem() {
        if (tooLarge()) {
            return Problem.of("request-entity-too-large", "Request Entity Too Large", 413,
                    "The event is larger than Kafka accepts: " + getCause().getMessage(), List.of());
        }
        return Problem.of("kafka-unavailable", "Event store unavailable", 503, "Kafka did not acknowledge event "
                + event.getEventId() + " (" + getCause().getMessage() + "). It may or may not have been stored; retry the request.",
                List.of());
    }

    @Override
    public Map<String, String> headers() {
        return tooLarge() ? Map.of() : Map.of("Retry-After", RETRY_AFTER_SECONDS);
    }
}
