package dev.concord.processor.topology;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import dev.concord.processor.metrics.SyncMetrics;
import dev.concord.processor.runtime.StreamsSettings;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * One sync topology under TopologyTestDriver for a single {@code customer} type declared with the
 * given policy, with typed access to its input, every output topic and the state store.
 */
final class TopologyFixture implements AutoCloseable {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    final ConcordContract contract;
    final EntityType customer;
    final TopologyTestDriver driver;
    final TestInputTopic<String, EntityEvent> events;
    final TestInputTopic<byte[], byte[]> rawEvents;
    final TestOutputTopic<String, EntityState> states;
    final TestOutputTopic<String, ConflictRecord> conflicts;
    final TestOutputTopic<String, RejectedEvent> rejected;
    final TestOutputTopic<byte[], byte[]> deadLetters;
    final EntityStateStore store;

    TopologyFixture(MergePolicy policy, SyncSettings settings) {
        this(policy, settings, SyncMetrics.NONE);
    }

    TopologyFixture(MergePolicy policy, SyncSettings settings, SyncMetrics metrics) {
        this(new EntityType("customer", Customer.getClassSchema(), policy, 1), settings, metrics);
    }

    /** @param customer the {@code customer} type as declared (its policy, what its poisoned events do) */
    TopologyFixture(EntityType customer, SyncSettings settings, SyncMetrics metrics) {
        MergePolicy policy = customer.policy();
        this.customer = customer;
        contract = ConcordContract.inMemory(EntityTypes.of(List.of(customer))).registerWriterSchemas();
        driver = new TopologyTestDriver(SyncTopology.build(contract, settings, metrics, EventPartitions.onePerTopic(contract.types())),
                StreamsSettings.of(Map.of("bootstrap.servers", "unused:9092"),
                        Map.of("application.id", "topology-test-" + policy.id()), SyncMetrics.NONE),
                T0);
        var eventTopic = contract.topics().events(customer);
        var stateTopic = contract.topics().state(customer);
        events = driver.createInputTopic(eventTopic.name(), eventTopic.keySerde().serializer(), eventTopic.valueSerde().serializer());
        rawEvents = driver.createInputTopic(eventTopic.name(), new ByteArraySerializer(), new ByteArraySerializer());
        states = driver.createOutputTopic(stateTopic.name(), stateTopic.keySerde().deserializer(), stateTopic.valueSerde().deserializer());
        conflicts = driver.createOutputTopic(TopicNames.CONFLICTS, contract.topics().conflicts().keySerde().deserializer(),
                contract.topics().conflicts().valueSerde().deserializer());
        rejected = driver.createOutputTopic(TopicNames.REJECTED, contract.topics().rejected().keySerde().deserializer(),
                contract.topics().rejected().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(TopicNames.DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        store = new EntityStateStore(driver.getKeyValueStore(SyncTopology.Names.of(customer).stateStore()),
                contract.topics().stateSerde());
    }

    TopologyFixture(MergePolicy policy) {
        this(policy, SyncSettings.defaults());
    }

    /** A full customer written by {@code writer} at {@code millis}.0. */
    EntityEvent upsert(String id, long millis, String writer, String name, String email) {
        return EntityEvents.upsert(UUID.randomUUID(), "customer", id, payload(name, email), new HlcTimestamp(millis, 0), writer,
                EntityEvents.source("test"));
    }

    EntityEvent upsert(String id, long millis, String writer, String name) {
        return upsert(id, millis, writer, name, name.toLowerCase().replace(' ', '.') + "@example.com");
    }

    /** A PATCH of some customer fields; the payload carries them over an otherwise empty record. */
    EntityEvent patch(String id, long millis, String writer, Map<String, Object> fields) {
        GenericRecord record = toGeneric(Customer.newBuilder().setName("").setEmail("").build());
        fields.forEach(record::put);
        return EntityEvents.patch(UUID.randomUUID(), "customer", id, contract.payloads().encode(record),
                List.copyOf(fields.keySet()), new HlcTimestamp(millis, 0), writer, EntityEvents.source("test"));
    }

    EntityEvent delete(String id, long millis, String writer) {
        return EntityEvents.delete(UUID.randomUUID(), "customer", id, new HlcTimestamp(millis, 0), writer,
                EntityEvents.source("test"));
    }

    byte[] payload(String name, String email) {
        return contract.payloads().encode(toGeneric(Customer.newBuilder().setName(name).setEmail(email).build()));
    }

    GenericRecord decode(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return contract.payloads().decode(bytes, customer.schema());
    }

    String field(EntityState state, String field) {
        Object value = decode(state.getPayload()).get(field);
        return value == null ? null : value.toString();
    }

    static GenericRecord toGeneric(Customer specific) {
        return (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(), specific);
    }

    /**
     * Reads the next state record and checks it is what a decision that changed nothing publishes: the stored state at
     * the same version, with one more remembered event id (the state topic is the store's log), and no decision headers.
     */
    EntityState readUnchangedState(String key, long version) {
        org.apache.kafka.streams.test.TestRecord<String, EntityState> record = states.readRecord();
        org.assertj.core.api.Assertions.assertThat(record.key()).isEqualTo(key);
        org.assertj.core.api.Assertions.assertThat(record.value().getVersion()).isEqualTo(version);
        org.assertj.core.api.Assertions.assertThat(record.headers().lastHeader(
                dev.concord.contract.outcomes.DecisionHeaders.DECIDED_EVENT)).isNull();
        return record.value();
    }

    boolean allOutputsEmpty() {
        return states.isEmpty() && conflicts.isEmpty() && rejected.isEmpty() && deadLetters.isEmpty();
    }

    @Override
    public void close() {
        driver.close();
    }
}
