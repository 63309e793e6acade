package dev.concord.producer.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.EventSource;
import dev.concord.contract.avro.FieldStamp;
import dev.concord.contract.avro.HybridClock;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.avro.WriteRef;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.outcomes.DecisionHeaders;
import dev.concord.contract.topics.StateRecordLimits;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The size arithmetic of {@link PayloadLimits}, checked against the real encoders: the largest payload the
 * door accepts, in the largest envelope the contract allows, still fits every record sync-processor writes
 * for it (state, conflict, rejected), with almost no room to spare — and one byte more is refused.
 */
class PayloadLimitsTest {

    private static final ConcordContract CONTRACT = ConcordContract.inMemory(EntityTypes.load(EntityTypes.DEFAULT_DECLARATION))
            .registerWriterSchemas();
    private static final PayloadLimits LIMITS = new PayloadLimits(StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES, CONTRACT.types());
    private static final EntityType CUSTOMER = CONTRACT.types().require("customer");
    private static final EntityType ORDER = CONTRACT.types().require("order");

    // The largest envelope values the contract allows.
    private static final String LONGEST_ID = "\uD83D\uDE00".repeat(EntityIdGrammar.MAX_LENGTH); // 256 characters, 1024 bytes
    private static final String LONGEST_WRITER = "w".repeat(PayloadLimits.MAX_WRITER_BYTES);
    private static final HybridClock LARGEST_CLOCK = new HybridClock(Long.MIN_VALUE, Integer.MIN_VALUE);
    private static final Instant LATEST = Instant.ofEpochMilli(Long.MIN_VALUE);

    @AfterAll
    static void close() throws Exception {
        CONTRACT.close();
    }

    @Test
    void shouldDeriveTheBodyLimitAsTheSmallestPayloadLimitOfTheDeclaredTypes() {
        assertThat(EntityIdGrammar.isValid(LONGEST_ID)).isTrue();
        assertThat(LIMITS.maxBodyBytes()).isEqualTo(Math.min(LIMITS.maxPayloadBytes(CUSTOMER), LIMITS.maxPayloadBytes(ORDER)));
        // About 20 KB under the output limit: 16,002 bytes of it are the processor's remembered event ids (at their cap).
        assertThat(LIMITS.maxBodyBytes()).isBetween(975_000, StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES - 16_002);
        assertThat(LIMITS.maxFieldBytes(CUSTOMER)).isEqualTo((LIMITS.maxPayloadBytes(CUSTOMER) - PayloadLimits.HEADER) / 6);
        assertThat(LIMITS.maxFieldBytes(ORDER)).isEqualTo(LIMITS.maxPayloadBytes(ORDER));
    }

    @Test
    void shouldKeepTheStateOfTheLargestAcceptedPayloadWithinTheProcessorsLimit() {
        for (EntityType type : List.of(CUSTOMER, ORDER)) {
            // Given: the largest payload, in the largest state envelope, remembering as many event ids as the processor can
            EntityState state = EntityState.newBuilder()
                    .setEntityType(type.name()).setEntityId(LONGEST_ID).setVersion(Long.MIN_VALUE).setClock(LARGEST_CLOCK)
                    .setWriter(LONGEST_WRITER).setDeleted(false).setPayload(payload(LIMITS.maxPayloadBytes(type)))
                    .setFieldStamps(stampsForEveryField(type)).setLastEventId(UUID.randomUUID()).setUpdatedAt(LATEST)
                    .setRecentEventIds(ByteBuffer.allocate(StateRecordLimits.EVENT_ID_BYTES * StateRecordLimits.MAX_RECENT_EVENT_IDS))
                    .build();

            // When: the whole record, as the processor measures it before storing it: key, value and decision headers
            int value = CONTRACT.topics().stateSerde().serializer().serialize("concord.state." + type.name(), state).length;
            int lostFields = String.join(",", state.getFieldStamps().keySet()).length();
            int size = LONGEST_ID.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + value
                    + DecisionHeaders.DECIDED_EVENT.length() + 36 + DecisionHeaders.LOST_FIELDS.length() + lostFields;

            // Then: within the limit, and the state carries the most envelope now, so it sets the limit, tightly
            assertThat(size).as("state of " + type.name()).isLessThanOrEqualTo(StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES);
            assertThat(size).as("state of " + type.name()).isGreaterThan(StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES - 200);
        }
    }

    @Test
    void shouldKeepTheConflictRecordAndTheRejectedEventOfTheLargestAcceptedPayloadWithinTheProcessorsLimit() {
        for (EntityType type : List.of(CUSTOMER, ORDER)) {
            List<String> fields = type.schema().getFields().stream().map(Schema.Field::name).toList();
            WriteRef ref = new WriteRef(UUID.randomUUID(), LARGEST_CLOCK, LONGEST_WRITER, Operation.UPSERT);
            ConflictRecord conflict = ConflictRecord.newBuilder()
                    .setEntityType(type.name()).setEntityId(LONGEST_ID).setRule("r".repeat(PayloadLimits.SHORT_TEXT_BYTES))
                    .setScope(ConflictScope.FIELDS).setFields(fields).setWinner(ref).setLoser(ref).setStateVersion(Long.MIN_VALUE)
                    .setLoserPayload(payload(LIMITS.maxPayloadBytes(type))).setDetectedAt(LATEST).build();
            EntityEvent event = EntityEvent.newBuilder()
                    .setEventId(UUID.randomUUID()).setEntityType(type.name()).setEntityId(LONGEST_ID).setOp(Operation.PATCH)
                    .setClock(LARGEST_CLOCK).setWriter(LONGEST_WRITER).setExpectedVersion(Long.MIN_VALUE).setChangedFields(fields)
                    .setPayload(payload(LIMITS.maxPayloadBytes(type))).setOccurredAt(LATEST)
                    .setSource(new EventSource("s".repeat(PayloadLimits.SHORT_TEXT_BYTES),
                            "\u20ac".repeat(PayloadLimits.MAX_REQUEST_ID_BYTES / 3), "t".repeat(PayloadLimits.TRACE_ID_BYTES),
                            "x".repeat(PayloadLimits.SHORT_TEXT_BYTES), "p".repeat(PayloadLimits.SHORT_TEXT_BYTES)))
                    .build();
            RejectedEvent rejected = RejectedEvent.newBuilder().setReason(RejectionReason.INVALID_PATCH)
                    .setDetail("d".repeat(PayloadLimits.DETAIL_BYTES) + " changedFields " + fields)
                    .setCurrentVersion(Long.MIN_VALUE).setEvent(event).setRejectedAt(LATEST).build();

            int conflictSize = CONTRACT.topics().conflicts().valueSerde().serializer().serialize("concord.conflicts", conflict).length;
            int rejectedSize = CONTRACT.topics().rejected().valueSerde().serializer().serialize("concord.rejected", rejected).length;

            assertThat(conflictSize).as("conflict record of " + type.name()).isLessThanOrEqualTo(StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES);
            assertThat(rejectedSize).as("rejected event of " + type.name()).isLessThanOrEqualTo(StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES);
        }
    }

    @Test
    void shouldAcceptAPayloadOfExactlyTheLimitAndRefuseOneByteMore() {
        // Given: orders whose encodings are exactly the limit and one byte over it
        int max = LIMITS.maxPayloadBytes(ORDER);
        GenericRecord largest = exactly(max, this::orderWithNote);
        GenericRecord tooLarge = exactly(max + 1, this::orderWithNote);

        // When / Then
        assertThatCode(() -> LIMITS.requireFits(ORDER, largest, encode(largest), "(body)")).doesNotThrowAnyException();
        PayloadTooLargeException refused = catchThrowableOfType(PayloadTooLargeException.class,
                () -> LIMITS.requireFits(ORDER, tooLarge, encode(tooLarge), "(body)"));
        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.problem().errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("(body)");
            assertThat(error.expected()).isEqualTo("at most " + max + " bytes Avro-encoded");
            assertThat(error.actual()).isEqualTo((max + 1) + " bytes");
        });
    }

    @Test
    void shouldCapEachFieldOfAFieldMergeTypeAtAnEqualShareSoThatAnyMergeFits() {
        // Given: a customer whose name encodes to exactly its share, and one whose name is one byte longer
        int share = LIMITS.maxFieldBytes(CUSTOMER);
        GenericRecord atShare = customer("n".repeat(share - 3), "e@x", null);
        GenericRecord overShare = customer("n".repeat(share - 2), "e@x", null);

        // When / Then
        assertThatCode(() -> LIMITS.requireFits(CUSTOMER, atShare, encode(atShare), "(body)")).doesNotThrowAnyException();
        PayloadTooLargeException refused = catchThrowableOfType(PayloadTooLargeException.class,
                () -> LIMITS.requireFits(CUSTOMER, overShare, encode(overShare), "(body)"));
        assertThat(refused.problem().errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("name");
            assertThat(error.pointer()).isEqualTo("/name");
            assertThat(error.actual()).isEqualTo((share + 1) + " bytes");
        });

        // And: the largest merge (every field at its share, each from another write) is within the payload limit
        GenericRecord merged = customer("n".repeat(share - 3), "e".repeat(share - 3), "p".repeat(share - 4));
        assertThatCode(() -> LIMITS.requireFits(CUSTOMER, merged, encode(merged), "(body)")).doesNotThrowAnyException();
        assertThat(encode(merged).length).isLessThanOrEqualTo(LIMITS.maxPayloadBytes(CUSTOMER));
    }

    // --- helpers ---------------------------------------------------------------------------------------

    /** A record built by {@code withFill} whose encoding is exactly {@code bytes} long. */
    private static GenericRecord exactly(int bytes, IntFunction<GenericRecord> withFill) {
        int fill = bytes;
        for (int attempt = 0; attempt < 10; attempt++) {
            GenericRecord record = withFill.apply(fill);
            int size = encode(record).length;
            if (size == bytes) {
                return record;
            }
            fill += bytes - size;
        }
        throw new AssertionError("no fill gives exactly " + bytes + " bytes");
    }

    private GenericRecord orderWithNote(int noteLength) {
        GenericRecord order = new GenericData.Record(ORDER.schema());
        order.put("customerId", "c-1");
        order.put("status", new GenericData.EnumSymbol(ORDER.schema().getField("status").schema(), "PAID"));
        order.put("currency", "EUR");
        order.put("totalCents", 1L);
        order.put("lines", List.of());
        order.put("note", "n".repeat(Math.max(0, noteLength)));
        return order;
    }

    private static GenericRecord customer(String name, String email, String phone) {
        GenericRecord customer = new GenericData.Record(CUSTOMER.schema());
        customer.put("name", name);
        customer.put("email", email);
        customer.put("phone", phone);
        Schema tier = CUSTOMER.schema().getField("tier").schema();
        customer.put("tier", new GenericData.EnumSymbol(tier, "GOLD"));
        customer.put("address", null);
        customer.put("marketingOptIn", true);
        return customer;
    }

    private static byte[] encode(GenericRecord record) {
        return CONTRACT.payloads().encode(record);
    }

    private static ByteBuffer payload(int bytes) {
        return ByteBuffer.wrap(new byte[bytes]);
    }

    private static Map<String, FieldStamp> stampsForEveryField(EntityType type) {
        Map<String, FieldStamp> stamps = new LinkedHashMap<>();
        for (Schema.Field field : type.schema().getFields()) {
            stamps.put(field.name(), new FieldStamp(LARGEST_CLOCK, LONGEST_WRITER, true));
        }
        return stamps;
    }
}
