package dev.concord.bench.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import dev.concord.domain.CustomerTier;
import dev.concord.processor.metrics.SyncMetrics;
import dev.concord.processor.runtime.StreamsSettings;
import dev.concord.processor.topology.StateStoreKind;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.processor.topology.EventPartitions;
import dev.concord.processor.topology.SyncTopology;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The independent reference rules and the processor agree on random histories: several writers with
 * clashing clocks, UPSERT, PATCH and DELETE, expected versions, redeliveries, in random order, under
 * every policy. Whatever the processor publishes last for a key is what the reference computes from the
 * same log, field by field, clock, writer, deletion and version. A disagreement is a bug in one of the
 * two, found without trusting either.
 */
class ReferenceMergeAgreementTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private static final String[] WRITERS = {"writer-a", "writer-b", "writer-c"};
    private static final String[] FIELDS = {"name", "email", "phone", "tier", "marketingOptIn"};

    @Property(tries = 60)
    void shouldAgreeWithTheProcessorUnderLastWriterWins(@ForAll long seed) {
        assertAgreement(MergePolicy.LAST_WRITER_WINS, seed);
    }

    @Property(tries = 60)
    void shouldAgreeWithTheProcessorUnderFieldMerge(@ForAll long seed) {
        assertAgreement(MergePolicy.FIELD_MERGE, seed);
    }

    @Property(tries = 60)
    void shouldAgreeWithTheProcessorUnderOptimistic(@ForAll long seed) {
        assertAgreement(MergePolicy.OPTIMISTIC, seed);
    }

    @Property(tries = 30)
    void shouldAgreeWithTheProcessorOnTheHeapStore(@ForAll long seed) {
        for (MergePolicy policy : MergePolicy.values()) {
            assertAgreement(policy, seed, SyncSettings.defaults().withStateStore(StateStoreKind.IN_MEMORY));
        }
    }

    private static void assertAgreement(MergePolicy policy, long seed) {
        assertAgreement(policy, seed, SyncSettings.defaults());
    }

    private static void assertAgreement(MergePolicy policy, long seed, SyncSettings settings) {
        EntityType customer = new EntityType("customer", Customer.getClassSchema(), policy, 1);
        ConcordContract contract = ConcordContract.inMemory(EntityTypes.of(List.of(customer))).registerWriterSchemas();
        List<EntityEvent> log = history(contract, policy, new Random(seed));

        Map<String, EntityState> published = new HashMap<>();
        Map<String, List<String>> trail = new HashMap<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(SyncTopology.build(contract, settings, SyncMetrics.NONE,
                EventPartitions.onePerTopic(contract.types())),
                StreamsSettings.of(Map.of("bootstrap.servers", "unused:9092"), Map.of("application.id", "agreement-" + seed),
                        SyncMetrics.NONE), NOW)) {
            var eventTopic = contract.topics().events(customer);
            var stateTopic = contract.topics().state(customer);
            TestInputTopic<String, EntityEvent> events = driver.createInputTopic(eventTopic.name(),
                    eventTopic.keySerde().serializer(), eventTopic.valueSerde().serializer());
            TestOutputTopic<String, EntityState> states = driver.createOutputTopic(stateTopic.name(),
                    stateTopic.keySerde().deserializer(), stateTopic.valueSerde().deserializer());
            log.forEach(event -> events.pipeInput(event.getEntityId(), event, NOW));
            states.readKeyValuesToList().forEach(record -> {
                published.put(record.key, record.value);
                trail.computeIfAbsent(record.key, k -> new ArrayList<>()).add("v" + record.value.getVersion() + " by "
                        + record.value.getLastEventId().toString().substring(0, 8));
            });
        }

        Map<String, ReferenceMerge.Expected> expected = new ReferenceMerge(customer, contract.payloads()).applyAll(log).expected();
        assertThat(published.keySet()).as("seed %d: entities", seed).isEqualTo(expected.keySet());
        expected.forEach((id, truth) -> {
            EntityState state = published.get(id);
            String at = "seed " + seed + ", entity " + id + "\n  log: " + log.stream().filter(e -> e.getEntityId().equals(id))
                    .map(e -> e.getEventId().toString().substring(0, 8) + " " + e.getOp() + " " + HlcTimestamp.of(e.getClock()) + " "
                            + e.getWriter() + (e.getExpectedVersion() == null ? "" : " expects v" + e.getExpectedVersion())).toList()
                    + "\n  processor published: " + trail.get(id) + "\n ";
            assertThat(state.getVersion()).as(at + ": version").isEqualTo(truth.version());
            assertThat(state.getDeleted()).as(at + ": deleted").isEqualTo(truth.deleted());
            assertThat(HlcTimestamp.of(state.getClock())).as(at + ": clock").isEqualTo(new HlcTimestamp(truth.physical(), truth.logical()));
            assertThat(state.getWriter()).as(at + ": writer").isEqualTo(truth.writer());
            if (!truth.deleted()) {
                assertThat(AvroToJson.toJson(decode(contract, customer, state.getPayload()))).as(at + ": data").isEqualTo(truth.data());
            }
        });
    }

    /**
     * 1 to 3 entities, 1 to 25 writes from three writers on a small clock range (ties), a tenth redelivered, a tenth
     * retried with a new clock, shuffled.
     */
    private static List<EntityEvent> history(ConcordContract contract, MergePolicy policy, Random random) {
        List<EntityEvent> log = new ArrayList<>();
        int entities = 1 + random.nextInt(3);
        int writes = 1 + random.nextInt(25);
        long base = NOW.toEpochMilli() - 10_000;
        for (int i = 0; i < writes; i++) {
            String id = "c-" + random.nextInt(entities);
            HlcTimestamp clock = new HlcTimestamp(base + random.nextInt(6), random.nextInt(2));
            String writer = WRITERS[random.nextInt(WRITERS.length)];
            int op = random.nextInt(10);
            EntityEvent event;
            if (op < 2) {
                event = EntityEvents.delete(UUID.randomUUID(), "customer", id, clock, writer, EntityEvents.source("test"));
            } else if (op < 5 && policy == MergePolicy.FIELD_MERGE) {
                List<String> changed = new ArrayList<>();
                for (String field : FIELDS) {
                    if (random.nextBoolean()) {
                        changed.add(field);
                    }
                }
                if (changed.isEmpty()) {
                    changed.add("name");
                }
                event = EntityEvents.patch(UUID.randomUUID(), "customer", id, payload(contract, random, i), changed, clock, writer,
                        EntityEvents.source("test"));
            } else {
                event = EntityEvents.upsert(UUID.randomUUID(), "customer", id, payload(contract, random, i), clock, writer,
                        EntityEvents.source("test"));
            }
            if (policy == MergePolicy.OPTIMISTIC && random.nextBoolean()) {
                event = EntityEvents.expectingVersion(event, random.nextInt(4));
            }
            log.add(event);
            if (random.nextInt(10) == 0) {
                log.add(event); // a redelivery
            }
            if (random.nextInt(10) == 0) {
                // A retry given a new clock (producer-service restarted between the first try and the retry): same id.
                EntityEvent retried = EntityEvent.newBuilder(event).build();
                retried.setClock(new dev.concord.contract.avro.HybridClock(base + random.nextInt(6), random.nextInt(2)));
                log.add(retried);
            }
        }
        java.util.Collections.shuffle(log, random);
        return log;
    }

    private static byte[] payload(ConcordContract contract, Random random, int i) {
        Customer customer = Customer.newBuilder().setName("Name " + i).setEmail("e" + i + "@example.com")
                .setPhone(random.nextBoolean() ? null : "+1-555-" + i)
                .setTier(CustomerTier.values()[random.nextInt(CustomerTier.values().length)])
                .setMarketingOptIn(random.nextBoolean()).build();
        return contract.payloads().encode((GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(), customer));
    }

    private static GenericRecord decode(ConcordContract contract, EntityType type, ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return contract.payloads().decode(bytes, type.schema());
    }
}
