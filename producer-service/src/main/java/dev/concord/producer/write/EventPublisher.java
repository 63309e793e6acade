package dev.concord.producer.write;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.topics.Topic;
import dev.concord.producer.monitoring.WriteMetrics;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Duration;
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
    private final WriteMetrics metrics;
    private final ConcordContract contract;

    /**
     * @param completionExecutor where futures complete: not on the producer's I/O thread, which would
     *                           otherwise also render HTTP responses and delay every other acknowledgement
     */
    public EventPublisher(KafkaProducer<String, EntityEvent> producer,
                          @Named(TaskExecutors.BLOCKING) Executor completionExecutor, WriteMetrics metrics, ConcordContract contract) {
        this.producer = producer;
        this.completionExecutor = completionExecutor;
        this.metrics = metrics;
        this.contract = contract;
    }

    /**
     * Sends the event to its type's events topic. May block up to {@code max.block.ms} for topic metadata or buffer
     * space: call it off the event loop.
     */
    public CompletableFuture<PublishedEvent> publish(WriteMetrics.Source source, EntityEvent event) {
        Topic<String, EntityEvent> topic = contract.topics().events(contract.types().require(event.getEntityType()));
        CompletableFuture<PublishedEvent> acknowledged = new CompletableFuture<>();
        long sentAt = System.nanoTime();
        try {
            producer.send(new ProducerRecord<>(topic.name(), event.getEntityId(), event), (metadata, error) -> {
                record(source, event, error, sentAt);
                completionExecutor.execute(() -> complete(acknowledged, topic, event, metadata, error));
            });
        } catch (RuntimeException error) {
            record(source, event, error, sentAt);
            acknowledged.completeExceptionally(new PublishFailedException(event, topic.name(), error));
        }
        return acknowledged;
    }

    private void record(WriteMetrics.Source source, EntityEvent event, Exception error, long sentAtNanos) {
        if (error != null) {
            metrics.failed(source, event.getEntityType());
            return;
        }
        metrics.published(source, event.getEntityType(), Duration.ofNanos(System.nanoTime() - sentAtNanos));
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
