package dev.concord.processor.topology;

import dev.concord.contract.avro.EntityState;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One type's entity states, as the processor reads and writes them. The Kafka Streams store underneath
 * holds bytes (the {@code EntityState} single-object encoding, dedup memory included), and this class
 * encodes each new state exactly once: the same bytes go into the store (and so its changelog) and, with
 * the dedup memory cut off, to {@code concord.state.<type>}. Letting Kafka Streams serialize for the store
 * and again for the sink encoded every state twice, the largest single cost of an event in the profile.
 */
final class EntityStateStore {

    private final KeyValueStore<String, byte[]> bytes;
    private final Serializer<EntityState> serializer;
    private final Deserializer<EntityState> deserializer;

    EntityStateStore(KeyValueStore<String, byte[]> bytes, Serde<EntityState> serde) {
        this.bytes = bytes;
        this.serializer = serde.serializer();
        this.deserializer = serde.deserializer();
    }

    EntityState get(String entityId) {
        return deserializer.deserialize(null, bytes.get(entityId));
    }

    /** A state encoded for the store and for the state topic. */
    record Encoded(byte[] stored, byte[] published) {
    }

    Encoded encode(EntityState state) {
        byte[] stored = serializer.serialize(null, state);
        return new Encoded(stored, Published.of(state, stored, serializer));
    }

    void put(String entityId, Encoded state) {
        bytes.put(entityId, state.stored());
    }

    void put(String entityId, EntityState state) {
        bytes.put(entityId, serializer.serialize(null, state));
    }

    void delete(String entityId) {
        bytes.delete(entityId);
    }

    /**
     * Up to {@code limit} stored states after {@code after} (exclusive; null: from the first), in key order.
     *
     * @return the last key visited, or null when the store has nothing after it
     */
    String forEachAfter(String after, int limit, Consumer<KeyValue<String, EntityState>> action) {
        String last = null;
        int visited = 0;
        try (KeyValueIterator<String, byte[]> range = bytes.range(after, null)) {
            while (range.hasNext() && visited < limit) {
                KeyValue<String, byte[]> entry = range.next();
                if (entry.key.equals(after)) {
                    continue;
                }
                action.accept(KeyValue.pair(entry.key, deserializer.deserialize(null, entry.value)));
                last = entry.key;
                visited++;
            }
            return visited == limit && range.hasNext() ? last : null;
        }
    }

    /** Every stored state, in key order (a full scan: for upgrades, never per event). */
    void forEach(Consumer<KeyValue<String, EntityState>> action) {
        try (KeyValueIterator<String, byte[]> all = bytes.all()) {
            Iterator<KeyValue<String, byte[]>> states = all;
            states.forEachRemaining(entry -> action.accept(KeyValue.pair(entry.key,
                    deserializer.deserialize(null, entry.value))));
        }
    }

    /**
     * The published form of a state: the stored one without the processor's dedup memory, and without
     * payload when deleted (the store keeps the field registers). Derived from the stored bytes without
     * encoding again: {@code recentEventIds} is the record's last field, and Avro's binary encoding of a
     * record is its fields' encodings in order, so the stored bytes end with that field (a zig-zag length,
     * then the ids) and the published bytes are the same prefix followed by an empty {@code bytes} (one 0).
     */
    static final class Published {

        static {
            Schema.Field last = EntityState.getClassSchema().getFields().get(EntityState.getClassSchema().getFields().size() - 1);
            if (!last.name().equals("recentEventIds") || last.schema().getType() != Schema.Type.BYTES) {
                throw new IllegalStateException("EntityState's last field must be recentEventIds (bytes): the published"
                        + " form is cut from the stored bytes");
            }
        }

        private Published() {
        }

        static byte[] of(EntityState state, byte[] stored, Serializer<EntityState> serializer) {
            if (state.getDeleted() && state.getPayload() != null) {
                return serializer.serialize(null, withoutStoreOnlyFields(state));
            }
            ByteBuffer ids = state.getRecentEventIds();
            int idBytes = ids == null ? 0 : ids.remaining();
            int tail = zigZagVarintLength(idBytes) + idBytes;
            byte[] published = new byte[stored.length - tail + 1];
            System.arraycopy(stored, 0, published, 0, stored.length - tail);
            published[published.length - 1] = 0; // bytes of length 0
            return published;
        }

        /** The published form as a record (tests, and the rare deleted state that keeps registers). */
        static EntityState withoutStoreOnlyFields(EntityState state) {
            return new EntityState(state.getEntityType(), state.getEntityId(), state.getVersion(), state.getClock(),
                    state.getWriter(), state.getDeleted(), state.getDeleted() ? null : state.getPayload(), state.getFieldStamps(),
                    state.getLastEventId(), state.getUpdatedAt(), ByteBuffer.allocate(0));
        }

        /** Bytes of Avro's variable-length zig-zag encoding of a non-negative length. */
        private static int zigZagVarintLength(long length) {
            long zigZag = length << 1;
            int size = 1;
            while ((zigZag >>>= 7) != 0) {
                size++;
            }
            return size;
        }
    }
}
