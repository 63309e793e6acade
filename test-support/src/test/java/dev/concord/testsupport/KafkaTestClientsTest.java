package dev.concord.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class KafkaTestClientsTest {

    private final String bootstrap = KafkaBrokerExtension.bootstrapServers();

    @Test
    void uniqueIdsArePrefixedAndDistinct() {
        assertThat(KafkaTestClients.uniqueId("app")).startsWith("app-").isNotEqualTo(KafkaTestClients.uniqueId("app"));
    }

    @Test
    void createsTopicsWithPartitions() throws Exception {
        String a = KafkaTestClients.uniqueId("a");
        String b = KafkaTestClients.uniqueId("b");
        KafkaTestClients.createTopics(bootstrap, 3, a, b);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            var topics = admin.describeTopics(List.of(a, b)).allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(topics.get(a).partitions()).hasSize(3);
            assertThat(topics.get(b).partitions()).hasSize(3);
        }
    }

    @Test
    void readAllOfEmptyTopicIsEmpty() {
        String topic = KafkaTestClients.uniqueId("empty");
        KafkaTestClients.createTopics(bootstrap, 2, topic);
        assertThat(KafkaTestClients.readAll(bootstrap, topic)).isEmpty();
    }

    /** read_committed skips aborted records and stops before a still-open transaction instead of hanging. */
    @Test
    void readAllReturnsCommittedRecordsUpToTheCurrentEnd() {
        String topic = KafkaTestClients.uniqueId("tx");
        KafkaTestClients.createTopics(bootstrap, 2, topic);
        KafkaTestClients.send(bootstrap, List.of(record(topic, 0, "plain-0"), record(topic, 1, "plain-1")));

        try (KafkaProducer<String, String> tx = transactionalProducer()) {
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(topic, 0, "k", "committed"));
            tx.commitTransaction();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(topic, 0, "k", "aborted"));
            tx.flush(); // written, then aborted (unflushed records would just be dropped)
            tx.abortTransaction();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(topic, 1, "k", "open"));
            tx.flush();

            assertThat(values(KafkaTestClients.readAll(bootstrap, topic)))
                    .containsExactly("plain-0", "committed", "plain-1");
            assertThat(values(KafkaTestClients.readAll(bootstrap, topic, IsolationLevel.READ_UNCOMMITTED)))
                    .containsExactly("plain-0", "committed", "aborted", "plain-1", "open");

            tx.commitTransaction();
        }
        assertThat(values(KafkaTestClients.readAll(bootstrap, topic)))
                .containsExactly("plain-0", "committed", "plain-1", "open");
    }

    private KafkaProducer<String, String> transactionalProducer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, KafkaTestClients.uniqueId("tx")),
                new StringSerializer(), new StringSerializer());
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String value) {
        return new ProducerRecord<>(topic, partition, "k".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }
}
