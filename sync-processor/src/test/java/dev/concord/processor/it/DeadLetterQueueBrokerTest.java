package dev.concord.processor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import dev.concord.domain.Order;
import dev.concord.domain.OrderStatus;
import dev.concord.processor.errors.DeadLetters;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every kind of poison record lands in concord.dlq with its headers, on a real broker, while good records around it apply. */
@ExtendWith(KafkaBrokerExtension.class)
class DeadLetterQueueBrokerTest {

    @Test
    void shouldDeadLetterEachKindOfPoisonAndApplyTheGoodRecordsAroundThem() throws Exception {
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        EntityType type = new EntityType(KafkaTestClients.uniqueId("dlq").toLowerCase(), Customer.getClassSchema(),
                MergePolicy.FIELD_MERGE, 1);
        Map<String, Object> kafka = Map.of("bootstrap.servers", bootstrap);
        try (ConcordContract contract = ConcordContract.connect(kafka, EntityTypes.of(List.of(type))).registerWriterSchemas();
             KafkaStreams streams = ProcessorOnTestBroker.start(contract, SyncSettings.defaults(), "dlq")) {
            String events = TopicNames.events(type.name());
            byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
            byte[] unknownFingerprint = contract.topics().eventSerde().serializer().serialize(events, upsert(contract, type, "k-2", "x"));
            unknownFingerprint[4] ^= 0x55;
            byte[] wrongType = contract.topics().eventSerde().serializer().serialize(events, orderInCustomerEvents(contract, type, "k-3"));

            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            records.add(good(contract, type, events, "k-0", "before"));
            records.add(new ProducerRecord<>(events, 0, bytes("k-1"), garbage));
            records.add(new ProducerRecord<>(events, 0, bytes("k-2"), unknownFingerprint));
            records.add(new ProducerRecord<>(events, 0, bytes("k-3"), wrongType));
            records.add(good(contract, type, events, "k-4", "after"));
            KafkaTestClients.send(bootstrap, records);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(deadLettersFrom(bootstrap, events)).hasSize(3);
                assertThat(KafkaTestClients.readAll(bootstrap, TopicNames.state(type.name())))
                        .extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactlyInAnyOrder("k-0", "k-4");
            });
            List<ConsumerRecord<byte[], byte[]>> dead = deadLettersFrom(bootstrap, events);
            assertThat(dead).extracting(r -> header(r, DeadLetters.STAGE)).containsExactly("deserialize", "deserialize", "process");
            assertThat(dead).extracting(ConsumerRecord::value).containsExactly(garbage, unknownFingerprint, wrongType);
            assertThat(dead).extracting(r -> header(r, DeadLetters.SOURCE_PARTITION)).containsOnly("0");
            assertThat(dead).extracting(r -> header(r, DeadLetters.SOURCE_OFFSET)).containsExactly("1", "2", "3");
            assertThat(header(dead.get(1), DeadLetters.ERROR)).contains("unknown schema fingerprint");
            assertThat(header(dead.get(2), DeadLetters.ERROR)).contains("payload does not match type");
        }
    }

    @Test
    void shouldDeadLetterTheInputWhoseOutputItsTopicWouldRefuseAndGoOn() throws Exception {
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        EntityType type = new EntityType(KafkaTestClients.uniqueId("big").toLowerCase(), Customer.getClassSchema(),
                MergePolicy.LAST_WRITER_WINS, 1);
        Map<String, Object> kafka = Map.of("bootstrap.servers", bootstrap);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(kafka)) {
            // The state topic refuses records over 4 KB (the processor is told so); the events topic and the DLQ take them.
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(TopicNames.state(type.name()), 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact", "max.message.bytes", "4096")))).all().get();
        }
        try (ConcordContract contract = ConcordContract.connect(kafka, EntityTypes.of(List.of(type))).registerWriterSchemas();
             KafkaStreams streams = ProcessorOnTestBroker.start(contract, SyncSettings.defaults().withMaxOutputBytes(4_000), "big")) {
            String events = TopicNames.events(type.name());
            KafkaTestClients.send(bootstrap, List.of(
                    good(contract, type, events, "k-0", "before"),
                    good(contract, type, events, "k-1", "x".repeat(8_000)),
                    good(contract, type, events, "k-2", "after")));

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(deadLettersFrom(bootstrap, events)).singleElement()
                        .satisfies(dead -> assertThat(header(dead, DeadLetters.STAGE)).isEqualTo("produce"))
                        .satisfies(dead -> assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("k-1"));
                assertThat(KafkaTestClients.readAll(bootstrap, TopicNames.state(type.name())))
                        .extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("k-0", "k-2");
            });
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> deadLettersFrom(String bootstrap, String sourceTopic) {
        return KafkaTestClients.readAll(bootstrap, TopicNames.DLQ).stream()
                .filter(r -> sourceTopic.equals(header(r, DeadLetters.SOURCE_TOPIC)))
                .sorted(java.util.Comparator.comparing(r -> Long.parseLong(header(r, DeadLetters.SOURCE_OFFSET))))
                .toList();
    }

    private static ProducerRecord<byte[], byte[]> good(ConcordContract contract, EntityType type, String topic, String id, String name) {
        return new ProducerRecord<>(topic, 0, bytes(id),
                contract.topics().eventSerde().serializer().serialize(topic, upsert(contract, type, id, name)));
    }

    private static EntityEvent upsert(ConcordContract contract, EntityType type, String id, String name) {
        GenericRecord customer = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(),
                Customer.newBuilder().setName(name).setEmail(name + "@example.com").build());
        return EntityEvents.upsert(UUID.randomUUID(), type.name(), id, contract.payloads().encode(customer),
                new HlcTimestamp(System.currentTimeMillis(), 0), "writer", EntityEvents.source("test"));
    }

    private static EntityEvent orderInCustomerEvents(ConcordContract contract, EntityType type, String id) {
        contract.catalog().register("entity.order", Order.getClassSchema());
        GenericRecord order = (GenericRecord) GenericData.get().deepCopy(Order.getClassSchema(), Order.newBuilder()
                .setCustomerId("c").setStatus(OrderStatus.PAID).setCurrency("EUR").setTotalCents(1).build());
        return EntityEvents.upsert(UUID.randomUUID(), type.name(), id, contract.payloads().encode(order),
                new HlcTimestamp(System.currentTimeMillis(), 0), "writer", EntityEvents.source("test"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        var header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
