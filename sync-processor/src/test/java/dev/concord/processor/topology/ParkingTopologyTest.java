package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.events.ParkingCommand;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import dev.concord.contract.types.PoisonPolicy;
import dev.concord.domain.Customer;
import dev.concord.processor.errors.DeadLetters;
import dev.concord.processor.metrics.SyncMetrics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A type declared {@code "poison": "park"}: an entity whose event is poisoned holds its later events until an operator
 * releases it (the poisoned event tried again, then the held ones, in order) or skips the poisoned one; other
 * entities go on.
 */
class ParkingTopologyTest {

    /** The customer schema with one more field: a writer on it before it is in the catalog writes poison. */
    private static final Schema CUSTOMER_V2 = withLoyaltyField();

    private final Counting metrics = new Counting();
    private final TopologyFixture f = new TopologyFixture(
            new EntityType("customer", Customer.getClassSchema(), MergePolicy.FIELD_MERGE, 1, PoisonPolicy.PARK),
            SyncSettings.defaults(), metrics);
    private final ParkedEntities parked = new ParkedEntities(
            f.driver.getKeyValueStore(SyncTopology.Names.of(f.customer).parkedStore()),
            f.driver.getKeyValueStore(SyncTopology.Names.of(f.customer).heldStore()), f.contract.topics().eventSerde());

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldHoldTheLaterEventsOfAPoisonedEntityAndLetOthersGoOn() {
        f.events.pipeInput("c-1", unknownSchemaUpsert("c-1", 1_000, "Poisoned"), T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "a", "Later"), T0);
        f.events.pipeInput("c-2", f.upsert("c-2", 2_000, "a", "Other"), T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 3_000, "a", "Latest"), T0);

        assertThat(header(f.deadLetters.readRecord(), DeadLetters.ERROR)).contains("unknown schema fingerprint");
        assertThat(f.states.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("c-2");
        assertThat(f.store.get("c-1")).isNull();
        assertThat(parked.get("c-1")).hasValueSatisfying(entity -> {
            assertThat(entity.held()).isEqualTo(2);
            assertThat(entity.reason()).contains("unknown schema fingerprint");
        });
        assertThat(metrics.values).containsEntry("parkedKeys", 1L).containsEntry("heldEvents", 2L).containsEntry("parked", 1L);
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldApplyTheHeldEventsInOrderWhenTheOperatorSkipsThePoisonedOne() {
        f.events.pipeInput("c-1", unknownSchemaUpsert("c-1", 1_000, "Poisoned"), T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 3_000, "a", "Second"), T0);
        f.events.pipeInput("c-1", f.patch("c-1", 4_000, "b", Map.of("phone", "+33 1")), T0);
        f.deadLetters.readRecord();

        command("c-1", ParkingCommand.Action.SKIP);

        List<EntityState> published = f.states.readValuesToList();
        assertThat(published).extracting(EntityState::getVersion).containsExactly(1L, 2L);
        assertThat(f.field(published.get(1), "name")).isEqualTo("Second");
        assertThat(parked.get("c-1")).isEmpty();
        assertThat(parked.held("c-1")).isEmpty();
        assertThat(metrics.values).containsEntry("parkedKeys", 0L).containsEntry("heldEvents", 0L).containsEntry("unparked:skip", 1L);
        assertThat(f.allOutputsEmpty()).isTrue();

        f.events.pipeInput("c-1", f.upsert("c-1", 5_000, "a", "After"), T0);
        assertThat(f.field(f.states.readValue(), "name")).as("no longer parked").isEqualTo("After");
    }

    @Test
    void shouldTryThePoisonedEventAgainOnReleaseOnceItsSchemaIsKnown() {
        f.events.pipeInput("c-1", unknownSchemaUpsert("c-1", 1_000, "First"), T0);
        f.events.pipeInput("c-1", f.patch("c-1", 2_000, "a", Map.of("phone", "+33 1")), T0);
        f.deadLetters.readRecord();

        command("c-1", ParkingCommand.Action.RELEASE);
        assertThat(f.states.isEmpty()).as("still poison: stays parked").isTrue();
        assertThat(parked.get("c-1")).isPresent();
        assertThat(metrics.values).containsEntry("ignored:still-poisoned", 1L);

        f.contract.catalog().register(f.customer.subject(), CUSTOMER_V2);
        command("c-1", ParkingCommand.Action.RELEASE);

        List<EntityState> published = f.states.readValuesToList();
        assertThat(published).extracting(EntityState::getVersion).containsExactly(1L, 2L);
        assertThat(f.field(published.get(1), "name")).as("the released event, then the held patch").isEqualTo("First");
        assertThat(f.field(published.get(1), "phone")).isEqualTo("+33 1");
        assertThat(parked.get("c-1")).isEmpty();
        assertThat(f.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldParkAgainBehindAHeldEventThatIsPoisonedItselfAndDeadLetterIt() {
        f.events.pipeInput("c-1", unknownSchemaUpsert("c-1", 1_000, "First"), T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "a", "Applied"), T0);
        EntityEvent secondPoison = unknownSchemaUpsert("c-1", 3_000, "Second poison");
        f.events.pipeInput("c-1", secondPoison, T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 4_000, "a", "Waits"), T0);
        f.deadLetters.readRecord();

        command("c-1", ParkingCommand.Action.SKIP);

        assertThat(f.field(f.states.readValue(), "name")).isEqualTo("Applied");
        assertThat(f.states.isEmpty()).isTrue();
        TestRecord<byte[], byte[]> dead = f.deadLetters.readRecord();
        assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("c-1");
        assertThat(f.contract.topics().eventSerde().deserializer().deserialize(null, dead.value()).getEventId())
                .isEqualTo(secondPoison.getEventId());
        assertThat(header(dead, DeadLetters.STAGE)).isEqualTo("process");
        assertThat(parked.get("c-1")).hasValueSatisfying(entity -> assertThat(entity.held()).isEqualTo(1));

        command("c-1", ParkingCommand.Action.SKIP);
        assertThat(f.field(f.states.readValue(), "name")).isEqualTo("Waits");
        assertThat(parked.get("c-1")).isEmpty();
        assertThat(metrics.values).containsEntry("parkedKeys", 0L).containsEntry("heldEvents", 0L);
    }

    @Test
    void shouldIgnoreACommandForAnEntityThatIsNotParked() {
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "a", "Fine"), T0);
        f.states.readValue();

        command("c-1", ParkingCommand.Action.SKIP);
        command("c-9", ParkingCommand.Action.RELEASE);

        assertThat(metrics.values).containsEntry("ignored:not-parked", 2L);
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldGoOnPastThePoisonForATypeThatSkips() {
        try (TopologyFixture skipping = new TopologyFixture(MergePolicy.LAST_WRITER_WINS)) {
            EntityEvent poison = EntityEvents.upsert(UUID.randomUUID(), "customer", "c-1", payloadOnV2(skipping, "Poisoned"),
                    new HlcTimestamp(1_000, 0), "a", EntityEvents.source("test"));
            skipping.events.pipeInput("c-1", poison, T0);
            skipping.events.pipeInput("c-1", skipping.upsert("c-1", 2_000, "a", "Later"), T0);

            assertThat(skipping.deadLetters.readRecord()).isNotNull();
            assertThat(skipping.field(skipping.states.readValue(), "name")).isEqualTo("Later");
        }
    }

    private void command(String id, ParkingCommand.Action action) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ParkingCommand.header(action));
        f.rawEvents.pipeInput(new TestRecord<>(id.getBytes(StandardCharsets.UTF_8), null, headers, T0));
    }

    private EntityEvent unknownSchemaUpsert(String id, long millis, String name) {
        return EntityEvents.upsert(UUID.randomUUID(), "customer", id, payloadOnV2(f, name), new HlcTimestamp(millis, 0), "a",
                EntityEvents.source("test"));
    }

    private static byte[] payloadOnV2(TopologyFixture fixture, String name) {
        GenericRecord customer = new GenericData.Record(CUSTOMER_V2);
        for (Schema.Field field : CUSTOMER_V2.getFields()) {
            customer.put(field.name(), field.hasDefaultValue() ? GenericData.get().getDefaultValue(field) : null);
        }
        customer.put("name", name);
        customer.put("email", name.toLowerCase().replace(' ', '.') + "@example.com");
        return fixture.contract.payloads().encode(customer);
    }

    private static Schema withLoyaltyField() {
        String v1 = Customer.getClassSchema().toString();
        return new Schema.Parser().parse(v1.substring(0, v1.lastIndexOf(']'))
                + ",{\"name\":\"loyalty\",\"type\":\"int\",\"default\":0}]}");
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The parking metrics, by name (gauges as their current value). */
    private static final class Counting implements SyncMetrics {
        final Map<String, Long> values = new HashMap<>();

        @Override
        public void parked(String entityType) {
            values.merge("parked", 1L, Long::sum);
        }

        @Override
        public void parkedKeys(String entityType, long delta) {
            values.merge("parkedKeys", delta, Long::sum);
        }

        @Override
        public void heldEvents(String entityType, long delta) {
            values.merge("heldEvents", delta, Long::sum);
        }

        @Override
        public void unparked(String entityType, String action) {
            values.merge("unparked:" + action, 1L, Long::sum);
        }

        @Override
        public void parkingIgnored(String entityType, String reason) {
            values.merge("ignored:" + reason, 1L, Long::sum);
        }
    }
}
