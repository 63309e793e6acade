package dev.concord.producer.publish;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.outcomes.ConsistencyToken;
import dev.concord.producer.write.PublishedEvent;
import java.util.List;

/**
 * The body of a 202: the event as published and where Kafka stored it. {@code clock} and
 * {@code writer} are what sync-processor orders this write by; {@code consistencyToken}, passed to a replica
 * ({@code X-Concord-After}), makes its read wait until it reflects this write's decision (docs/consistency.md).
 */
public record PublishAccepted(String eventId, String entityType, String entityId, String topic, int partition,
                              long offset, Clock clock, String writer, String consistencyToken) {

    /** A hybrid logical clock reading. */
    public record Clock(long physicalMillis, int logical) {
    }

    public static PublishAccepted of(PublishedEvent published) {
        EntityEvent event = published.event();
        return new PublishAccepted(event.getEventId().toString(), event.getEntityType(), event.getEntityId(),
                published.topic(), published.partition(), published.offset(),
                new Clock(event.getClock().getPhysicalMillis(), event.getClock().getLogical()), event.getWriter(),
                ConsistencyToken.of(List.of(ConsistencyToken.Write.undecided(event.getEntityType(), event.getEntityId(),
                        event.getEventId().toString()))).text());
    }
}
