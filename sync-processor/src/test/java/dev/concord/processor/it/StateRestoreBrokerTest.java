package dev.concord.processor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import dev.concord.processor.topology.EventPartitions;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The state topic is the state store's log (one broker write per decided event): the store has no changelog topic of
 * its own, and an instance that starts on an empty state directory restores every entity from
 * {@code concord.state.<type>} — versions, and the event ids the entity remembers, including those of writes that
 * changed nothing — before it folds the next event.
 */
@ExtendWith(KafkaBrokerExtension.class)
class StateRestoreBrokerTest {

    private static final String ID = "restored-1";

    @Test
    void shouldRestoreTheStoreFromTheStateTopicAloneAfterItsLocalStateIsLost() throws Exception {
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        EntityType type = new EntityType(KafkaTestClients.uniqueId("restore").toLowerCase(), Customer.getClassSchema(),
                MergePolicy.LAST_WRITER_WINS, 2);
        String applicationId = KafkaTestClients.uniqueId("restore-app");
        Map<String, Object> kafka = Map.of("bootstrap.servers", bootstrap);
        long now = System.currentTimeMillis();
        try (ConcordContract contract = ConcordContract.connect(kafka, EntityTypes.of(List.of(type))).registerWriterSchemas()) {
            EntityEvent applied = upsert(contract, type, "first", now);
            EntityEvent lost = upsert(contract, type, "older", now - 1_000);
            // Given an entity at version 2 whose store also remembers a write that lost to it (no new version)
            try (KafkaStreams first = ProcessorOnTestBroker.start(contract, SyncSettings.defaults(), applicationId, "restore-a")) {
                send(contract, type, applied, lost, upsert(contract, type, "second", now + 1_000));
                await().atMost(Duration.ofSeconds(60)).until(() -> states(contract, type).size() == 3);
            }
            assertThat(states(contract, type)).extracting(EntityState::getVersion).containsExactly(1L, 1L, 2L);
            assertThat(conflicts(contract, type)).hasSize(1);

            // When an instance of the same application starts with no local state, and both earlier writes come again
            try (KafkaStreams second = ProcessorOnTestBroker.start(contract, SyncSettings.defaults(), applicationId, "restore-b")) {
                send(contract, type, applied, lost, upsert(contract, type, "third", now + 2_000));

                // Then the store came back from the state topic: the copies are dropped by id (no version, no second
                // conflict), and the next write applies as version 3
                await().atMost(Duration.ofSeconds(60)).until(() -> states(contract, type).size() == 4);
                EntityState last = states(contract, type).get(3);
                assertThat(last.getVersion()).isEqualTo(3);
                assertThat(last.getRecentEventIds().remaining()).as("the ids it remembers, published").isEqualTo(4 * 16);
                assertThat(conflicts(contract, type)).hasSize(1);
            }

            // And the store wrote no changelog topic of its own: the state topic is its only log
            try (Admin admin = Admin.create(kafka)) {
                Set<String> topics = admin.listTopics().names().get();
                assertThat(topics).filteredOn(topic -> topic.startsWith(applicationId)).noneMatch(topic -> topic.contains("state."));
            }
        }
    }

    @Test
    void shouldRefuseToStartWhenAStateTopicHasAnotherPartitionCountThanItsEvents() throws Exception {
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        EntityType type = customerType("unlike");
        // Given a state topic made by hand with three partitions for events on two
        KafkaTestClients.createTopics(bootstrap, 3, TopicNames.state(type.name()));
        try (ConcordContract contract = ConcordContract.connect(Map.of("bootstrap.servers", bootstrap), EntityTypes.of(List.of(type)))) {
            // Then the processor's start-up refuses, naming both topics: states would land where no task restores from
            assertThatStartUpRefuses(type)
                    .hasMessageContaining(TopicNames.state(type.name()) + " has 3 partitions, " + TopicNames.events(type.name()) + " 2");
        }
    }

    @Test
    void shouldRefuseToStartNamingTheStateTopicThatIsMissing() {
        EntityType type = customerType("stateless");
        // Given an events topic whose state topic nobody created
        KafkaTestClients.createTopics(KafkaBrokerExtension.bootstrapServers(), 2, TopicNames.events(type.name()));

        // Then the start-up's one read of both names the missing topic, and only it
        assertThatStartUpRefuses(type)
                .hasMessageContaining("[" + TopicNames.state(type.name()) + "]")
                .hasMessageNotContaining(TopicNames.events(type.name()));
    }

    private static EntityType customerType(String prefix) {
        return new EntityType(KafkaTestClients.uniqueId(prefix).toLowerCase(), Customer.getClassSchema(), MergePolicy.LAST_WRITER_WINS, 2);
    }

    /** The processor's start-up read of the type's topics, which must refuse. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertThatStartUpRefuses(EntityType type) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()))) {
            return assertThatThrownBy(() -> EventPartitions.fromBroker(admin, EntityTypes.of(List.of(type))))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    private static void send(ConcordContract contract, EntityType type, EntityEvent... events) {
        String topic = TopicNames.events(type.name());
        List<ProducerRecord<byte[], byte[]>> records = java.util.Arrays.stream(events)
                .map(event -> new ProducerRecord<>(topic, ID.getBytes(StandardCharsets.UTF_8),
                        contract.topics().eventSerde().serializer().serialize(topic, event)))
                .toList();
        KafkaTestClients.send(KafkaBrokerExtension.bootstrapServers(), records);
    }

    private static List<EntityState> states(ConcordContract contract, EntityType type) {
        String topic = TopicNames.state(type.name());
        return KafkaTestClients.readAll(KafkaBrokerExtension.bootstrapServers(), topic).stream()
                .map(record -> contract.topics().state(type).valueSerde().deserializer().deserialize(topic, record.value()))
                .toList();
    }

    private static List<ConflictRecord> conflicts(ConcordContract contract, EntityType type) {
        return KafkaTestClients.readAll(KafkaBrokerExtension.bootstrapServers(), TopicNames.CONFLICTS).stream()
                .map(record -> contract.topics().conflicts().valueSerde().deserializer().deserialize(TopicNames.CONFLICTS, record.value()))
                .filter(conflict -> conflict.getEntityType().equals(type.name()))
                .toList();
    }

    private static EntityEvent upsert(ConcordContract contract, EntityType type, String name, long physicalMillis) {
        GenericRecord customer = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(),
                Customer.newBuilder().setName(name).setEmail("someone@example.com").build());
        return EntityEvents.upsert(UUID.randomUUID(), type.name(), ID, contract.payloads().encode(customer),
                new HlcTimestamp(physicalMillis, 0), "writer", EntityEvents.source("test"));
    }
}
