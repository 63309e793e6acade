package dev.concord.producer.write;

import dev.concord.contract.avro.EntityEvent;

/** An event Kafka has acknowledged (acks=all): where it landed in the events topic. */
public record PublishedEvent(EntityEvent event, String topic, int partition, long offset) {
}
