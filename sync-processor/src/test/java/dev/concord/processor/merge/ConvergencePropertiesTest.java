package dev.concord.processor.merge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.catalog.CatalogLog;
import dev.concord.contract.catalog.SchemaCatalog;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The promise every merge rule makes: the same set of events, in any order and with any number of
 * redeliveries, leaves the same state; versions only go up; and a delete is not undone by any
 * older write.
 */
class ConvergencePropertiesTest {

    private static final List<String> WRITERS = List.of("writer-a", "writer-b", "writer-c");
    private static final List<String> FIELDS = List.of("name", "email", "phone");

    private final SchemaCatalog catalog = new SchemaCatalog(CatalogLog.inMemory());
    private final PayloadCodec payloads = new PayloadCodec(catalog);

    ConvergencePropertiesTest() {
        catalog.register("entity.customer", Customer.getClassSchema());
    }

    @Property(tries = 300)
    void lastWriterWinsConvergesInAnyOrderWithDuplicates(@ForAll("recordWrites") List<Write> writes, @ForAll Random random) {
        assertConverges(MergePolicy.LAST_WRITER_WINS, writes, random);
    }

    @Property(tries = 300)
    void fieldMergeConvergesInAnyOrderWithDuplicates(@ForAll("fieldWrites") List<Write> writes, @ForAll Random random) {
        assertConverges(MergePolicy.FIELD_MERGE, writes, random);
    }

    @Property(tries = 200)
    void optimisticBlindWritesConvergeInAnyOrderWithDuplicates(@ForAll("recordWrites") List<Write> writes, @ForAll Random random) {
        assertConverges(MergePolicy.OPTIMISTIC, writes, random);
    }

    @Property(tries = 300)
    void aDeleteFollowedByOlderWritesStaysDeleted(@ForAll("fieldWrites") List<Write> before, @ForAll("fieldWrites") List<Write> late,
                                                  @ForAll Random random) {
        for (MergePolicy policy : MergePolicy.values()) {
            MergeRule rule = ruleFor(policy);
            long deleteMillis = 1_000;  // later than any generated clock
            List<EntityEvent> events = new ArrayList<>(toEvents(before, policy));
            events.add(EntityEvents.delete(UUID.randomUUID(), "customer", "c-1", new HlcTimestamp(deleteMillis, 0), "gdpr",
                    EntityEvents.source("test")));
            List<EntityEvent> older = new ArrayList<>(toEvents(late, policy));
            Collections.shuffle(older, random);
            events.addAll(older);

            EntityState last = fold(rule, events);
            assertThat(last.getDeleted()).as("%s: deleted after older writes", policy).isTrue();
        }
    }

    private void assertConverges(MergePolicy policy, List<Write> writes, Random random) {
        MergeRule rule = ruleFor(policy);
        List<EntityEvent> events = toEvents(writes, policy);
        EntityState reference = fold(rule, events);
        for (int i = 0; i < 5; i++) {
            List<EntityEvent> delivered = new ArrayList<>(events);
            int redeliveries = random.nextInt(events.size() + 1);
            for (int d = 0; d < redeliveries; d++) {
                delivered.add(events.get(random.nextInt(events.size())));
            }
            Collections.shuffle(delivered, random);
            assertThat(content(fold(rule, delivered))).as("%s order %d", policy, i).isEqualTo(content(reference));
        }
    }

    /** Applies events in order and checks that every accepted version is the previous + 1. */
    private static EntityState fold(MergeRule rule, List<EntityEvent> events) {
        EntityState state = null;
        for (EntityEvent event : events) {
            MergeDecision decision = rule.decide(state, event, 0);
            if (decision instanceof MergeDecision.Accepted accepted) {
                long expected = state == null ? 1 : state.getVersion() + 1;
                assertThat(accepted.state().getVersion()).as("versions go up one at a time").isEqualTo(expected);
                state = accepted.state();
            }
        }
        return state;
    }

    /**
     * What must converge: everything but the version (it counts accepted changes) and processing time. The payload to
     * the byte too: a write taken whole keeps its writer's bytes where a merge encodes them again, and which of the two
     * happens must not depend on the order of arrival.
     */
    private Map<String, Object> content(EntityState state) {
        if (state == null) {
            return Map.of();
        }
        return Map.of(
                "deleted", state.getDeleted(),
                "clock", HlcTimestamp.of(state.getClock()),
                "writer", state.getWriter(),
                "lastEventId", state.getLastEventId(),
                "payload", state.getDeleted() || state.getPayload() == null ? "none" : decode(state.getPayload()).toString(),
                "payloadBytes", state.getPayload() == null ? "none" : java.util.HexFormat.of().formatHex(bytes(state.getPayload())),
                "fieldStamps", new java.util.TreeMap<>(state.getFieldStamps()).toString());
    }

    private MergeRule ruleFor(MergePolicy policy) {
        return MergeRules.forType(new EntityType("customer", Customer.getClassSchema(), policy, 1), payloads);
    }

    private List<EntityEvent> toEvents(List<Write> writes, MergePolicy policy) {
        List<EntityEvent> events = new ArrayList<>();
        for (Write w : writes) {
            HlcTimestamp clock = new HlcTimestamp(w.millis(), w.logical());
            UUID id = UUID.randomUUID();
            Operation op = policy != MergePolicy.FIELD_MERGE && w.op() == Operation.PATCH ? Operation.UPSERT : w.op();
            events.add(switch (op) {
                case UPSERT -> EntityEvents.upsert(id, "customer", "c-1", payload(w), clock, w.writer(), EntityEvents.source("t"));
                case PATCH -> EntityEvents.patch(id, "customer", "c-1", payload(w), w.fields(), clock, w.writer(), EntityEvents.source("t"));
                case DELETE -> EntityEvents.delete(id, "customer", "c-1", clock, w.writer(), EntityEvents.source("t"));
            });
        }
        return events;
    }

    private byte[] payload(Write w) {
        GenericRecord record = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(),
                Customer.newBuilder().setName("n" + w.value()).setEmail("e" + w.value()).setPhone("p" + w.value()).build());
        return payloads.encode(record);
    }

    private GenericRecord decode(ByteBuffer payload) {
        return payloads.decode(bytes(payload), Customer.getClassSchema());
    }

    private static byte[] bytes(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return bytes;
    }

    @Provide
    Arbitrary<List<Write>> recordWrites() {
        return writes(Arbitraries.of(Operation.UPSERT, Operation.UPSERT, Operation.DELETE));
    }

    @Provide
    Arbitrary<List<Write>> fieldWrites() {
        return writes(Arbitraries.of(Operation.UPSERT, Operation.PATCH, Operation.PATCH, Operation.DELETE));
    }

    /** Writes from three writers with clocks in a narrow range, so equal milliseconds and clock ties are common. */
    private static Arbitrary<List<Write>> writes(Arbitrary<Operation> ops) {
        Arbitrary<Write> write = Combinators.combine(
                ops,
                Arbitraries.of(WRITERS),
                Arbitraries.longs().between(1, 30),
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 99),
                Arbitraries.subsetOf(FIELDS).filter(s -> !s.isEmpty()).map(List::copyOf)
        ).as(Write::new);
        // A writer never issues the same clock twice (its hybrid logical clock is strictly increasing).
        return write.list().ofMinSize(1).ofMaxSize(12).filter(ConvergencePropertiesTest::uniqueClockPerWriter);
    }

    private static boolean uniqueClockPerWriter(List<Write> writes) {
        Set<String> seen = new HashSet<>();
        return writes.stream().allMatch(w -> seen.add(w.writer() + "@" + w.millis() + "." + w.logical()));
    }

    record Write(Operation op, String writer, long millis, int logical, int value, List<String> fields) {
    }
}
