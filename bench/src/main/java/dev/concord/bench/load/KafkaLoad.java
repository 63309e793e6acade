package dev.concord.bench.load;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.topics.Topic;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes events straight to Kafka as a writer would (idempotent, acks=all), as fast as possible
 * or at a fixed rate. At a fixed rate each event has an intended send time on a fixed schedule, and
 * latencies are measured from it, so a stall delays the schedule's later events visibly instead of
 * hiding them (no coordinated omission).
 */
public final class KafkaLoad {

    private final Map<String, Object> kafkaConfig;

    public KafkaLoad(Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    /** @param ratePerSecond 0 = as fast as possible */
    public Ledger send(Topic<String, EntityEvent> topic, List<EntityEvent> events, int ratePerSecond) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, ratePerSecond == 0 ? 10 : 1);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        Ledger ledger = new Ledger();
        try (KafkaProducer<String, EntityEvent> producer =
                     new KafkaProducer<>(config, new StringSerializer(), topic.valueSerde().serializer())) {
            long startNanos = System.nanoTime();
            long startMillis = System.currentTimeMillis();
            for (int i = 0; i < events.size(); i++) {
                EntityEvent event = events.get(i);
                long intendedOffsetNanos = ratePerSecond == 0 ? 0 : i * 1_000_000_000L / ratePerSecond;
                if (ratePerSecond > 0) {
                    Pacing.waitUntil(startNanos + intendedOffsetNanos);
                }
                long intendedAtMillis = ratePerSecond == 0 ? System.currentTimeMillis() : startMillis + intendedOffsetNanos / 1_000_000;
                producer.send(new ProducerRecord<>(topic.name(), event.getEntityId(), event), (metadata, error) -> {
                    if (error == null) {
                        ledger.record(new Ledger.Accepted(event, metadata.partition(), metadata.offset(), intendedAtMillis));
                    }
                });
            }
            producer.flush();
        }
        return ledger;
    }
}
