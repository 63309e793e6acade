package dev.concord.producer.publish;

import dev.concord.contract.avro.EntityEvent;

/**
 * Kafka did not acknowledge an event (broker unreachable, timeout, record too large, ...). The event
 * may or may not have been written; with the idempotent producer a retry by the same client cannot
 * be told apart from a new write, so callers answer with a retryable error and log the event id.
 */
public final class PublishFailedException extends RuntimeException {

    private final transient EntityEvent event;

    public PublishFailedException(EntityEvent event, String topic, Throwable cause) {
        super("Kafka did not acknowledge event " + event.getEventId() + " for " + event.getEntityType() + "/"
                + event.getEntityId() + " on " + topic + ": " + cause.getMessage(), cause);
        this.event = event;
    }

    public EntityEvent event() {
        return event;
    }
}
