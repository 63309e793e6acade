package dev.concord.producer.publish;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.topics.Topic;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends one {@link EntityEvent} to its events topic, keyed by entity id so that all events of one
 * entity land in one partition, in order.
 *
 * <p>Output: a future that completes with the acknowledged position once every in-sync replica has
 * the event (the producer runs with {@code acks=all} and idempotence), or fails with
 * {@link PublishFailedException} — also when {@code send} itself throws — so callers have one path
 * for every failure.
 */
@Singleton
public class EventPublisher {

    private final KafkaProducer<String, EntityEvent> producer;
    private final Executor completionExecutor;

    /**
     * @param completionExecutor where futures complete: not on the producer's I/O thread, which would
     *                           otherwise also render HTTP responses and delay every other acknowledgement
     */
    public EventPublisher(KafkaProducer<String, EntityEvent> producer,
                          @Named(TaskExecutors.BLOCKING) Executor completionExecutor) {
        this.producer = producer;
        this.completionExecutor = completionExecutor;
    }

    /** May block up to {@code max.block.ms} for topic metadata or buffer space: call it off the event loop. */
    public CompletableFuture<PublishedEvent> publish(Topic<String, EntityEvent> topic, EntityEvent event) {
        CompletableFuture<PublishedEvent> acknowledged = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic.name(), event.getEntityId(), event), (metadata, error) ->
                    completionExecutor.execute(() -> complete(acknowledged, topic, event, metadata, error)));
        } catch (RuntimeException error) {
            acknowledged.completeExceptionally(new PublishFailedException(event, topic.name(), error));
        }
        return acknowledged;
    }

    private static void complete(CompletableFuture<PublishedEvent> acknowledged, Topic<String, EntityEvent> topic,
                                 EntityEvent event, RecordMetadata metadata, Exception error) {
        if (error != null) {
            acknowledged.completeExceptionally(new PublishFailedException(event, topic.name(), error));
        } else {
            acknowledged.complete(new PublishedEvent(event, metadata.topic(), metadata.partition(), metadata.offset()));
        }
    }
}
