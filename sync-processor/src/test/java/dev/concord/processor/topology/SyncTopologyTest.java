package dev.concord.processor.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.domain.Customer;
import dev.concord.processor.runtime.StreamsSettings;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SyncTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private final ConcordContract contract =
            ConcordContract.inMemory(EntityTypes.load(EntityTypes.DEFAULT_DECLARATION)).registerWriterSchemas();
    private final EntityType customer = contract.types().require("customer");

    private TopologyTestDriver driver;
    private TestInputTopic<String, EntityEvent> events;
    private TestOutputTopic<String, EntityState> states;
    private KeyValueStore<String, EntityState> store;

    @BeforeEach
    void startTopology() {
        Properties props = StreamsSettings.of(Map.of("bootstrap.servers", "unused:9092"),
                Map.of("application.id", "sync-topology-test"));
        driver = new TopologyTestDriver(SyncTopology.build(contract.types(), contract.topics()), props);
        var eventTopic = contract.topics().events(customer);
        var stateTopic = contract.topics().state(customer);
        events = driver.createInputTopic(eventTopic.name(), eventTopic.keySerde().serializer(), eventTopic.valueSerde().serializer());
        states = driver.createOutputTopic(stateTopic.name(), stateTopic.keySerde().deserializer(), stateTopic.valueSerde().deserializer());
        store = driver.getKeyValueStore(SyncTopology.storeName(customer));
    }

    @AfterEach
    void stopTopology() {
        driver.close();
    }

    @Test
    void shouldPublishVersionOneForANewEntity() {
        events.pipeInput("c-1", upsert("c-1", 1_000, "writer-a", "Ada"), T0);

        EntityState state = states.readValue();
        assertThat(state.getVersion()).isEqualTo(1);
        assertThat(name(state)).isEqualTo("Ada");
        assertThat(store.get("c-1")).isEqualTo(state);
        assertThat(states.isEmpty()).isTrue();
    }

    @Test
    void shouldKeepNewerStateWhenOlderUpdateArrivesLate() {
        events.pipeInput("c-1", upsert("c-1", 2_000, "writer-a", "Newer"), T0);
        events.pipeInput("c-1", upsert("c-1", 1_000, "writer-b", "Older"), T0.plusSeconds(1));

        EntityState only = states.readValue();
        assertThat(name(only)).isEqualTo("Newer");
        assertThat(states.isEmpty()).as("the late, older update emits nothing").isTrue();
        assertThat(store.get("c-1").getVersion()).isEqualTo(1);
        assertThat(name(store.get("c-1"))).isEqualTo("Newer");
    }

    @Test
    void shouldBreakEqualClocksByWriterIdInEitherArrivalOrder() {
        events.pipeInput("c-1", upsert("c-1", 5_000, "writer-b", "B"), T0);
        events.pipeInput("c-1", upsert("c-1", 5_000, "writer-a", "A"), T0);
        events.pipeInput("c-2", upsert("c-2", 5_000, "writer-a", "A"), T0);
        events.pipeInput("c-2", upsert("c-2", 5_000, "writer-b", "B"), T0);

        assertThat(states.readKeyValuesToList()).extracting(kv -> kv.key + "=" + name(kv.value) + "@v" + kv.value.getVersion())
                .containsExactly("c-1=B@v1", "c-2=A@v1", "c-2=B@v2");
        assertThat(name(store.get("c-1"))).isEqualTo("B");
        assertThat(name(store.get("c-2"))).isEqualTo("B");
        assertThat(states.isEmpty()).isTrue();
    }

    @Test
    void shouldCountVersionsUpByOnePerAcceptedChange() {
        events.pipeInput("c-1", upsert("c-1", 1_000, "writer-a", "one"), T0);
        events.pipeInput("c-1", upsert("c-1", 2_000, "writer-a", "two"), T0);
        events.pipeInput("c-1", upsert("c-1", 3_000, "writer-b", "three"), T0);

        assertThat(states.readValuesToList()).extracting(EntityState::getVersion).containsExactly(1L, 2L, 3L);
        assertThat(states.isEmpty()).isTrue();
    }

    @Test
    void shouldPublishAVersionedTombstoneThatALateUpdateCannotResurrect() {
        events.pipeInput("c-1", upsert("c-1", 1_000, "writer-a", "Ada"), T0);
        events.pipeInput("c-1", EntityEvents.delete(UUID.randomUUID(), "customer", "c-1",
                new HlcTimestamp(3_000, 0), "writer-b", EntityEvents.source("test")), T0);
        events.pipeInput("c-1", upsert("c-1", 2_000, "writer-c", "Late"), T0);

        assertThat(states.readValue().getVersion()).isEqualTo(1);
        EntityState tombstone = states.readValue();
        assertThat(tombstone.getDeleted()).isTrue();
        assertThat(tombstone.getVersion()).isEqualTo(2);
        assertThat(tombstone.getPayload()).isNull();
        assertThat(store.get("c-1").getDeleted()).isTrue();
        assertThat(states.isEmpty()).isTrue();
    }

    @Test
    void shouldIgnoreAReplayedEvent() {
        EntityEvent event = upsert("c-1", 1_000, "writer-a", "Ada");
        events.pipeInput("c-1", event, T0);
        events.pipeInput("c-1", event, T0.plusSeconds(5));

        assertThat(states.readValue().getVersion()).isEqualTo(1);
        assertThat(states.isEmpty()).isTrue();
    }

    private EntityEvent upsert(String id, long millis, String writer, String name) {
        Customer customerRecord = Customer.newBuilder().setName(name).setEmail(name.toLowerCase() + "@example.com").build();
        byte[] payload = contract.payloads().encode(toGeneric(customerRecord));
        return EntityEvents.upsert(UUID.randomUUID(), "customer", id, payload, new HlcTimestamp(millis, 0), writer,
                EntityEvents.source("test"));
    }

    private String name(EntityState state) {
        byte[] bytes = new byte[state.getPayload().remaining()];
        state.getPayload().duplicate().get(bytes);
        return contract.payloads().decode(bytes, customer.schema()).get("name").toString();
    }

    private static GenericRecord toGeneric(Customer specific) {
        return (GenericRecord) org.apache.avro.generic.GenericData.get().deepCopy(Customer.getClassSchema(), specific);
    }
}
