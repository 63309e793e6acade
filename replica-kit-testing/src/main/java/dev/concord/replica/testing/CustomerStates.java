package dev.concord.replica.testing;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.HybridClock;
import dev.concord.contract.types.EntityType;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;

/**
 * Builds customer states as the processor would publish them, with real encoded payloads: for the
 * {@code customer} type, or for any type declared with the customer schema (see {@link TestTypes}).
 */
public final class CustomerStates {

    public static final Instant UPDATED_AT = Instant.parse("2026-01-02T03:04:05.678Z");
    private static final UUID BULK_EVENT_ID = UUID.fromString("00000000-0000-4000-8000-000000000001");

    private final ConcordContract contract;
    private final EntityType customer;

    public CustomerStates(ConcordContract contract) {
        this(contract, "customer");
    }

    public CustomerStates(ConcordContract contract, String typeName) {
        this.contract = contract;
        this.customer = contract.types().require(typeName);
    }

    public EntityType type() {
        return customer;
    }

    /** A live customer at {@code version}, named {@code name}, written by {@code sales} at clock {@code version}.0. */
    public EntityState live(String id, long version, String name) {
        return live(id, version, name, "sales");
    }

    /** A live customer at {@code version}, named {@code name}, written by {@code writer} at clock {@code version}.0. */
    public EntityState live(String id, long version, String name, String writer) {
        return base(id, version).setWriter(writer).setDeleted(false).setPayload(payload(name)).build();
    }

    /** The encoded payload of a customer named {@code name}, to share between many states. */
    public ByteBuffer payload(String name) {
        return ByteBuffer.wrap(contract.payloads().encode(record(name)));
    }

    /** Any record of the type's schema (a generated {@code Customer} too), encoded as a state's payload. */
    public byte[] encode(GenericRecord record) {
        return contract.payloads().encode(record);
    }

    /** A customer named {@code name}, as the replica's decoder hands it on. */
    public GenericRecord record(String name) {
        return new GenericRecordBuilder(customer.schema())
                .set("name", name)
                .set("email", name.toLowerCase() + "@example.com")
                .build();
    }

    /** A live state with an already encoded payload and a fixed event id: cheap to build in bulk. */
    public EntityState live(String id, long version, ByteBuffer payload) {
        return base(id, version, BULK_EVENT_ID).setDeleted(false).setPayload(payload.duplicate()).build();
    }

    /** A versioned tombstone: deleted, no payload. */
    public EntityState deleted(String id, long version) {
        return base(id, version).setDeleted(true).setPayload(null).build();
    }

    private EntityState.Builder base(String id, long version) {
        return base(id, version, UUID.randomUUID());
    }

    private EntityState.Builder base(String id, long version, UUID lastEventId) {
        return EntityState.newBuilder()
                .setEntityType(customer.name())
                .setEntityId(id)
                .setVersion(version)
                .setClock(new HybridClock(1_700_000_000_000L + version, 0))
                .setWriter("sales")
                .setFieldStamps(Map.of())
                .setLastEventId(lastEventId)
                .setUpdatedAt(UPDATED_AT);
    }
}
