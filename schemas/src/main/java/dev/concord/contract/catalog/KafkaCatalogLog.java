package dev.concord.contract.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.serde.SingleObjectHeader;
import dev.concord.contract.text.LogSafe;
import dev.concord.contract.topics.TopicProvisioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog's log on a compacted, single-partition Kafka topic (key = fingerprint in hex,
 * value = JSON {@code {subject, fingerprint, schemaJson, registeredAtMillis}}). One partition keeps
 * a single order of registrations that every reader replays identically. A record that is not a readable entry (anyone
 * with write access to the topic can put one there) is skipped and said, never thrown: every service reads this topic
 * at start, and one bad record must not keep them all from starting. A schema registered only by such a record stays
 * unknown, and what was written with it is dead-lettered as any record of an unknown schema.
 */
public final class KafkaCatalogLog implements CatalogLog {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCatalogLog.class);
    // Fields a later version adds to an entry are ignored, not refused: older readers keep reading newer entries.
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final String topic;
    private final TopicPartition partition;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;

    /**
     * @param clientConfig bootstrap servers and security settings shared by the producer and consumer
     */
    public KafkaCatalogLog(Map<String, Object> clientConfig, String topic) {
        this(clientConfig, topic, true);
    }

    /** @param createTopic whether to create the catalog topic if it is missing (needs the {@code Create} ACL) */
    public KafkaCatalogLog(Map<String, Object> clientConfig, String topic, boolean createTopic) {
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        if (createTopic) {
            TopicProvisioner.ensureCatalogTopic(clientConfig, topic);
        }

        Map<String, Object> producerConfig = new HashMap<>(clientConfig);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());

        Map<String, Object> consumerConfig = new HashMap<>(clientConfig);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
    }

    @Override
    public void append(CatalogEntry entry) {
        try {
            byte[] value = JSON.writeValueAsBytes(entry);
            String key = SingleObjectHeader.toHex(entry.fingerprint());
            producer.send(new ProducerRecord<>(topic, 0, key, value)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while registering schema " + entry.subject(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("could not append schema " + entry.subject() + " to " + topic, e);
        }
    }

    @Override
    public synchronized List<CatalogEntry> readNew() {
        long end = consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
        List<CatalogEntry> entries = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (consumer.position(partition, TIMEOUT) < end) {
            if (System.nanoTime() > deadline) {
                throw new KafkaException("timed out reading schema catalog " + topic);
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.value() != null) {
                    parse(record).ifPresent(entries::add);
                }
            }
        }
        return entries;
    }

    private static java.util.Optional<CatalogEntry> parse(ConsumerRecord<String, byte[]> record) {
        try {
            // The JSON text null reads as no entry at all.
            return java.util.Optional.ofNullable(JSON.readValue(record.value(), CatalogEntry.class));
        } catch (IOException e) {
            LOG.warn("Skipped the schema catalog record at offset {} of {} (key '{}'): not a catalog entry ({})",
                    record.offset(), record.topic(), LogSafe.of(record.key()), LogSafe.of(e instanceof com.fasterxml.jackson.core.JacksonException j ? j.getOriginalMessage() : e.getMessage()));
            return java.util.Optional.empty();
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        consumer.close(Duration.ofSeconds(5));
    }
}
