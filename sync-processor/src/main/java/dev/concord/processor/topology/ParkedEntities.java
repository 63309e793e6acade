package dev.concord.processor.topology;

import dev.concord.contract.avro.EntityEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The parked entities of one task (types declared {@code "poison": "park"}): for each, why and since when it is parked,
 * the poisoned event (to try again on release), and its later events, held in arrival order until an operator decides.
 * Two stores, both logged, so parking survives a crash or a move like the states do:
 * <ul>
 *   <li>{@code parked.<type>}: entity id → {@link Parked};</li>
 *   <li>{@code held.<type>}: entity id + NUL + 19-digit sequence → source offset + the event's bytes. Entity ids contain
 *       no control characters ({@code EntityIdGrammar}), so one entity's held events are the key range
 *       {@code [id NUL, id SOH)} and sort in arrival order.</li>
 * </ul>
 */
public final class ParkedEntities {

    private static final char SEPARATOR = '\u0000';

    private final KeyValueStore<String, byte[]> parked;
    private final KeyValueStore<String, byte[]> held;
    private final Serde<EntityEvent> events;

    ParkedEntities(KeyValueStore<String, byte[]> parked, KeyValueStore<String, byte[]> held, Serde<EntityEvent> events) {
        this.parked = parked;
        this.held = held;
        this.events = events;
    }

    /**
     * A parked entity.
     *
     * @param sinceMillis when it was parked (processor time)
     * @param reason      why its poisoned event failed
     * @param held        how many of its later events wait
     * @param nextSequence the sequence the next held event gets
     * @param poisoned    the poisoned event's bytes (single-object encoded)
     */
    public record Parked(String entityId, long sinceMillis, String reason, long held, long nextSequence, byte[] poisoned) {
    }

    /** An event held behind a parked one, with the offset it had on its events partition (for a dead letter). */
    record Held(String storeKey, long offset, EntityEvent event) {
    }

    Optional<Parked> get(String entityId) {
        byte[] bytes = parked.get(entityId);
        return bytes == null ? Optional.empty() : Optional.of(decode(entityId, bytes));
    }

    /** Parks the entity behind {@code poisoned}, or, parked already, makes {@code poisoned} the event it waits on. */
    Parked park(String entityId, EntityEvent poisoned, String reason, long now) {
        Optional<Parked> before = get(entityId);
        Parked after = new Parked(entityId, now, reason, before.map(Parked::held).orElse(0L),
                before.map(Parked::nextSequence).orElse(0L), events.serializer().serialize(null, poisoned));
        parked.put(entityId, encode(after));
        return after;
    }

    /** Holds {@code event} behind the parked entity; returns the entity with one more held event. */
    Parked hold(Parked entity, EntityEvent event, long offset) {
        byte[] value = events.serializer().serialize(null, event);
        byte[] stored = new byte[Long.BYTES + value.length];
        java.nio.ByteBuffer.wrap(stored).putLong(offset).put(value);
        held.put(heldKey(entity.entityId(), entity.nextSequence()), stored);
        Parked after = new Parked(entity.entityId(), entity.sinceMillis(), entity.reason(), entity.held() + 1,
                entity.nextSequence() + 1, entity.poisoned());
        parked.put(entity.entityId(), encode(after));
        return after;
    }

    /** No longer parked; its held events stay until {@link #takeHeld} removes them one by one. */
    void unpark(String entityId) {
        parked.delete(entityId);
    }

    /** The entity's held events, oldest first (read, not removed). */
    List<Held> held(String entityId) {
        List<Held> found = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> range = held.range(entityId + SEPARATOR, entityId + '\u0001')) {
            while (range.hasNext()) {
                KeyValue<String, byte[]> entry = range.next();
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(entry.value);
                long offset = buffer.getLong();
                byte[] event = new byte[buffer.remaining()];
                buffer.get(event);
                found.add(new Held(entry.key, offset, events.deserializer().deserialize(null, event)));
            }
        }
        return found;
    }

    void removeHeld(Held event) {
        held.delete(event.storeKey());
    }

    /** After a drain stopped on a new poisoned event: how many of the entity's events still wait. */
    void setHeldCount(String entityId, long count) {
        get(entityId).ifPresent(entity -> parked.put(entityId, encode(new Parked(entityId, entity.sinceMillis(),
                entity.reason(), count, entity.nextSequence(), entity.poisoned()))));
    }

    EntityEvent poisonedEvent(Parked entity) {
        return events.deserializer().deserialize(null, entity.poisoned());
    }

    /** Every parked entity of this task (a short list: parking is for incidents, not for traffic). */
    List<Parked> all() {
        List<Parked> all = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> entries = parked.all()) {
            entries.forEachRemaining(entry -> all.add(decode(entry.key, entry.value)));
        }
        return all;
    }

    private static String heldKey(String entityId, long sequence) {
        return entityId + SEPARATOR + String.format("%019d", sequence);
    }

    private static byte[] encode(Parked entity) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(entity.sinceMillis());
            out.writeUTF(entity.reason().length() > 8_000 ? entity.reason().substring(0, 8_000) : entity.reason());
            out.writeLong(entity.held());
            out.writeLong(entity.nextSequence());
            out.writeInt(entity.poisoned().length);
            out.write(entity.poisoned());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A parked entity's record as its store holds it (for queries that read the store from outside the task). */
    public static Parked decode(String entityId, byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            long since = in.readLong();
            String reason = in.readUTF();
            long heldCount = in.readLong();
            long next = in.readLong();
            byte[] poisoned = new byte[in.readInt()];
            in.readFully(poisoned);
            return new Parked(entityId, since, reason, heldCount, next, poisoned);
        } catch (IOException e) {
            throw new UncheckedIOException("a parked entity's record does not decode", e);
        }
    }
}
