package dev.concord.testsupport;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Small blocking Kafka helpers for tests: create topics, write records, read a topic to its current end. */
public final class KafkaTestClients {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private KafkaTestClients() {
    }

    /** {@code prefix-<8 hex chars>}: unique topic names, application ids and group ids keep tests independent. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Creates the topics (replication factor 1) and waits until every partition has a leader in the broker's metadata,
     * so producers, consumers and Streams apps see them right away.
     */
    public static void createTopics(String bootstrap, int partitions, String... topics) {
        createTopics(bootstrap, Arrays.asList(topics), partitions);
    }

    public static void createTopics(String bootstrap, Collection<String> topics, int partitions) {
        List<NewTopic> newTopics = topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(newTopics).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            // The controller has committed the topics; the broker serves them once it applied the metadata.
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() ->
                    admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                            .allMatch(d -> d.partitions().size() == partitions
                                    && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topics " + topics, e);
        }
    }

    /** Sends the records with acks=all, non-transactionally, and waits until all are acknowledged. */
    public static void send(String bootstrap, List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            records.forEach(producer::send);
            producer.flush();
        }
    }

    /** {@link #readAll(String, String, IsolationLevel)} with {@code read_committed}, as downstream consumers read. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        return readAll(bootstrap, topic, IsolationLevel.READ_COMMITTED);
    }

    /**
     * Reads every partition of the topic from the beginning up to its end offsets taken when reading starts (for
     * read_committed: the last stable offset, so aborted and still-open transactions are not returned). No consumer
     * group is used, so nothing is committed. Records are in partition order, partitions in ascending order.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, IsolationLevel isolation) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            // Metadata of a just-created topic can lag a moment behind; a missing topic fails after the wait.
            List<TopicPartition> partitions = await("partitions of topic " + topic)
                    .atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> consumer.partitionsFor(topic, TIMEOUT).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                            .toList(), list -> !list.isEmpty());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);

            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Did not reach end offsets " + end + " of " + topic + " within " + TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        records.add(r);
                    }
                }
            }
            records.sort((a, b) -> a.partition() != b.partition()
                    ? Integer.compare(a.partition(), b.partition())
                    : Long.compare(a.offset(), b.offset()));
            return records;
        }
    }

    private static boolean reachedEnd(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey(), TIMEOUT) >= e.getValue());
    }
}
