package dev.concord.processor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A writer whose client partitions keys with another hash than Kafka's Java client (librdkafka's default is
 * CRC32, not murmur2) puts an entity's event on a partition another task owns. Folded there, it would fork the
 * entity (a second version 1 from another task). On a real broker: the event is refused as WRONG_PARTITION and
 * the entity's state is untouched; its next event, placed as the contract says, applies at its home.
 */
@ExtendWith(KafkaBrokerExtension.class)
class WrongPartitionBrokerTest {

    private static final int PARTITIONS = 3;

    /** librdkafka's default placement of keyed messages ("consistent_random"): CRC32 of the key bytes. */
    public static final class Crc32Partitioner implements Partitioner {
        @Override
        public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
            CRC32 crc = new CRC32();
            crc.update(keyBytes);
            return (int) (crc.getValue() % cluster.partitionCountForTopic(topic));
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }

    @Test
    void shouldRefuseAnEventOnAnotherPartitionThanItsKeysAndLeaveTheEntityAsItWas() throws Exception {
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        EntityType type = new EntityType(KafkaTestClients.uniqueId("placed").toLowerCase(), Customer.getClassSchema(),
                MergePolicy.LAST_WRITER_WINS, PARTITIONS);
        Map<String, Object> kafka = Map.of("bootstrap.servers", bootstrap);
        String id = keyTheHashesDisagreeOn();
        try (ConcordContract contract = ConcordContract.connect(kafka, EntityTypes.of(List.of(type))).registerWriterSchemas();
             KafkaStreams streams = ProcessorOnTestBroker.start(contract, SyncSettings.defaults(), "placed")) {
            String events = TopicNames.events(type.name());
            long now = System.currentTimeMillis();

            // Given the entity at version 1, written by a Java client (murmur2 placement)
            send(kafka, null, events, contract.topics().eventSerde().serializer().serialize(events, upsert(contract, type, id, "home", now)), id);
            await().atMost(Duration.ofSeconds(60)).until(() -> states(contract, bootstrap, type, id).size() == 1);

            // When a newer write of it comes from a client that hashes keys with CRC32
            EntityEvent misplaced = upsert(contract, type, id, "elsewhere", now + 1);
            send(kafka, Crc32Partitioner.class, events, contract.topics().eventSerde().serializer().serialize(events, misplaced), id);

            // Then it is refused, naming its home partition, and the entity is as it was
            await().atMost(Duration.ofSeconds(60)).until(() -> !rejected(contract, bootstrap, type).isEmpty());
            RejectedEvent refusal = rejected(contract, bootstrap, type).get(0);
            assertThat(refusal.getReason()).isEqualTo(RejectionReason.WRONG_PARTITION);
            assertThat(refusal.getEvent().getEventId()).isEqualTo(misplaced.getEventId());
            assertThat(refusal.getDetail()).contains("belong on partition " + Utils.toPositive(Utils.murmur2(bytes(id))) % PARTITIONS);

            // And its next write, placed as the contract says, applies at its home as version 2 (no fork, no version 1 twice)
            send(kafka, null, events, contract.topics().eventSerde().serializer().serialize(events, upsert(contract, type, id, "home again", now + 2)), id);
            await().atMost(Duration.ofSeconds(60)).until(() -> states(contract, bootstrap, type, id).size() == 2);
            List<EntityState> states = states(contract, bootstrap, type, id);
            assertThat(states).extracting(EntityState::getVersion).containsExactly(1L, 2L);
            assertThat(states).allSatisfy(state -> assertThat(state.getLastEventId()).isNotEqualTo(misplaced.getEventId()));
        }
    }

    /** An id that CRC32 and murmur2 place on different partitions. */
    private static String keyTheHashesDisagreeOn() {
        return IntStream.range(0, 1_000).mapToObj(i -> "customer-" + i)
                .filter(id -> {
                    CRC32 crc = new CRC32();
                    crc.update(bytes(id));
                    return crc.getValue() % PARTITIONS != Utils.toPositive(Utils.murmur2(bytes(id))) % PARTITIONS;
                })
                .findFirst().orElseThrow();
    }

    private static void send(Map<String, Object> kafka, Class<? extends Partitioner> partitioner, String topic, byte[] value, String id)
            throws Exception {
        Map<String, Object> config = new java.util.HashMap<>(kafka);
        if (partitioner != null) {
            config.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, partitioner.getName());
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, bytes(id), value)).get();
        }
    }

    private static List<EntityState> states(ConcordContract contract, String bootstrap, EntityType type, String id) {
        String topic = TopicNames.state(type.name());
        return KafkaTestClients.readAll(bootstrap, topic).stream()
                .filter(record -> id.equals(new String(record.key(), StandardCharsets.UTF_8)))
                .map(record -> contract.topics().state(type).valueSerde().deserializer().deserialize(topic, record.value()))
                .toList();
    }

    private static List<RejectedEvent> rejected(ConcordContract contract, String bootstrap, EntityType type) {
        return KafkaTestClients.readAll(bootstrap, TopicNames.REJECTED).stream()
                .map(ConsumerRecord::value)
                .map(value -> contract.topics().rejected().valueSerde().deserializer().deserialize(TopicNames.REJECTED, value))
                .filter(refusal -> refusal.getEvent().getEntityType().equals(type.name()))
                .toList();
    }

    private static EntityEvent upsert(ConcordContract contract, EntityType type, String id, String name, long physicalMillis) {
        GenericRecord customer = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(),
                Customer.newBuilder().setName(name).setEmail("someone@example.com").build());
        return EntityEvents.upsert(UUID.randomUUID(), type.name(), id, contract.payloads().encode(customer),
                new HlcTimestamp(physicalMillis, 0), "writer", EntityEvents.source("test"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
