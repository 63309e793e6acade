package dev.concord.processor.merge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.catalog.CatalogLog;
import dev.concord.contract.catalog.SchemaCatalog;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.serde.SingleObjectHeader;
import dev.concord.domain.Customer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * A write that wins every field of a field-merge entity (an UPSERT newer than every register: the case without a
 * concurrent writer) becomes the state as it came, its payload bytes untouched; any other write is merged field by field.
 */
class FieldMergeTest {

    private static final long NOW = 1_000_000L;
    // The customer as an earlier release wrote it: only the two fields it had then (the others have defaults).
    private static final Schema CUSTOMER_V0 = SchemaBuilder.record("Customer").namespace("dev.concord.domain").fields()
            .requiredString("name").requiredString("email").endRecord();

    private final SchemaCatalog catalog = new SchemaCatalog(CatalogLog.inMemory());
    private final PayloadCodec payloads = new PayloadCodec(catalog);
    private final FieldMerge rule = new FieldMerge(Customer.getClassSchema(), payloads);

    FieldMergeTest() {
        catalog.register("entity.customer", CUSTOMER_V0);
        catalog.register("entity.customer", Customer.getClassSchema());
    }

    @Test
    void shouldTakeTheEventsOwnPayloadWithoutReadingTheCurrentOneWhenTheWriteWinsEveryField() {
        EntityState current = accepted(rule.decide(null, upsert(100, "a", customer("Ada", "ada@example.com")), NOW));
        // A current payload that would not decode: a write that wins every field has no need to read it
        byte[] unreadable = Arrays.copyOf(current.getPayload().array(), SingleObjectHeader.LENGTH + 1);
        unreadable[SingleObjectHeader.LENGTH] = (byte) 0xFF;
        current.setPayload(ByteBuffer.wrap(unreadable));
        EntityEvent newer = upsert(200, "b", customer("Grace", "grace@example.com"));

        EntityState next = accepted(rule.decide(current, newer, NOW));

        assertThat(next.getPayload()).isEqualTo(newer.getPayload());
        assertThat(next.getFieldStamps()).hasSize(Customer.getClassSchema().getFields().size())
                .allSatisfy((field, stamp) -> assertThat(stamp.getWriter()).isEqualTo("b"));
        assertThat(next.getVersion()).isEqualTo(2);
    }

    @Test
    void shouldEncodeAgainAPayloadWrittenWithAnotherVersionOfTheSchema() {
        GenericRecord old = new GenericData.Record(CUSTOMER_V0);
        old.put("name", "Ada");
        old.put("email", "ada@example.com");

        EntityState state = accepted(rule.decide(null, upsert(100, "a", payloads.encode(old)), NOW));

        // The state holds the type's schema, defaults filled in: readers of the state topic need no older schema
        byte[] stored = new byte[state.getPayload().remaining()];
        state.getPayload().duplicate().get(stored);
        assertThat(SingleObjectHeader.fingerprint(stored))
                .hasValue(SchemaNormalization.parsingFingerprint64(Customer.getClassSchema()));
        GenericRecord decoded = payloads.decode(stored, Customer.getClassSchema());
        assertThat(decoded.get("name").toString()).isEqualTo("Ada");
        assertThat(decoded.get("marketingOptIn")).isEqualTo(false);
    }

    @Test
    void shouldMergeFieldByFieldWhenAFieldHoldsANewerWrite() {
        EntityState current = accepted(rule.decide(null, upsert(100, "a", customer("Ada", "ada@example.com")), NOW));
        current = accepted(rule.decide(current, patch(300, "c", customer("ignored", "new@example.com"), List.of("email")), NOW));

        EntityState next = accepted(rule.decide(current, upsert(200, "b", customer("Grace", "grace@example.com")), NOW));

        GenericRecord merged = payloads.decode(next.getPayload(), Customer.getClassSchema());
        assertThat(merged.get("name").toString()).isEqualTo("Grace");
        assertThat(merged.get("email").toString()).as("the newer patch keeps its field").isEqualTo("new@example.com");
    }

    private byte[] customer(String name, String email) {
        return payloads.encode((GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(),
                Customer.newBuilder().setName(name).setEmail(email).build()));
    }

    private static EntityEvent upsert(long millis, String writer, byte[] payload) {
        return EntityEvents.upsert(UUID.randomUUID(), "customer", "c-1", payload, new HlcTimestamp(millis, 0), writer,
                EntityEvents.source("test"));
    }

    private static EntityEvent patch(long millis, String writer, byte[] payload, List<String> fields) {
        return EntityEvents.patch(UUID.randomUUID(), "customer", "c-1", payload, fields, new HlcTimestamp(millis, 0), writer,
                EntityEvents.source("test"));
    }

    private static EntityState accepted(MergeDecision decision) {
        assertThat(decision).isInstanceOf(MergeDecision.Accepted.class);
        return ((MergeDecision.Accepted) decision).state();
    }
}
