package dev.concord.producer.publish;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.producer.write.PublishedEvent;

/**
 * The body of a 202: the event as published and where Kafka stored it. {@code clock} and
 * {@code writer} are what sync-processor orders this write by.
 */
public record PublishAccepted(String eventId, String entityType, String entityId, String topic, int partition,
                              long offset, Clock clock, String writer) {

    /** A hybrid logical clock reading. */
    public record Clock(long physicalMillis, int logical) {
    }

    public static PublishAccepted of(PublishedEvent published) {
        EntityEvent event = published.event();
        return new PublishAccepted(event.getEventId().toString(), event.getEntityType(), event.getEntityId(),
                published.topic(), published.partition(), published.offset(),
                new Clock(event.getClock().getPhysicalMillis(), event.getClock().getLogical()), event.getWriter());
    }
}
