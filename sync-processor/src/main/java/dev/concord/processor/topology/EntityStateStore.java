package dev.concord.processor.topology;

import dev.concord.contract.avro.EntityState;
import java.util.Iterator;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One type's entity states, as the processor reads and writes them. The Kafka Streams store underneath
 * holds bytes (the {@code EntityState} single-object encoding, dedup memory included), and this class
 * encodes each new state exactly once: the same bytes go into the store and to {@code concord.state.<type>},
 * which is the store's log (see {@link StateTopicAsChangelog}). Letting Kafka Streams serialize for the store
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

    /** A state encoded once, for the store and the state topic alike. */
    byte[] encode(EntityState state) {
        return serializer.serialize(null, state);
    }

    void put(String entityId, byte[] encoded) {
        bytes.put(entityId, encoded);
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
}
