package dev.concord.replica.apply;

import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.serde.PayloadCodec.PayloadDecodingException;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.text.LogSafe;
import dev.concord.contract.types.EntityType;
import dev.concord.replica.ReplicatedTypes;
import dev.concord.replica.store.DeadLetter;
import dev.concord.replica.store.RecordOrigin;
import dev.concord.replica.store.StateChange;
import java.util.Optional;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one raw record of a state topic into the {@link StateChange} to store.
 *
 * <p>Input: key = entity id as UTF-8, value = an {@link EntityState} in the single-object encoding, or
 * null (a Kafka tombstone). Output: an upsert whose data is the payload decoded with this replica's
 * reader schema (the declared one); a removal for a tombstone; or, when the record cannot be decoded
 * (no key, a key that is not a valid entity id under {@link EntityIdGrammar} decoded strictly, a value that
 * is not an {@code EntityState}, a clock with a negative part, a payload that does not decode), a {@link DeadLetter} with the reason, which
 * the store writes to {@code replica_dead_letter} with the batch. Refusing keeps one bad record from stopping
 * the replica; the entity then keeps its previous state until a newer, readable state arrives. (The replica
 * does not write to {@code concord.dlq}: that topic has one writer, the processor.)
 */
public final class StateRecordDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(StateRecordDecoder.class);

    /** A record decoded: exactly one of {@code change} and {@code refused} is set. */
    public record Decoded(StateChange change, DeadLetter refused, RecordOrigin origin) {

        public Optional<StateChange> asChange() {
            return Optional.ofNullable(change);
        }
    }

    private final ReplicatedTypes types;
    private final Deserializer<EntityState> states;
    private final PayloadCodec payloads;

    public StateRecordDecoder(ReplicatedTypes types, Deserializer<EntityState> states, PayloadCodec payloads) {
        this.types = types;
        this.states = states;
        this.payloads = payloads;
    }

    public Decoded decode(ConsumerRecord<byte[], byte[]> record) {
        EntityType type = types.forStateTopic(record.topic());
        RecordOrigin origin = new RecordOrigin(record.topic(), record.partition(), record.offset(), record.key(), record.value());
        // The key is the entity id: a tombstone carries nothing else. Decoded strictly: two byte strings
        // must never name one entity (a lenient decoder would turn invalid UTF-8 into U+FFFD).
        EntityIdGrammar.Decoded key = EntityIdGrammar.decode(record.key());
        if (!key.valid()) {
            return refuse(origin, type, key.id(), null, "its key is not a valid entity id: " + key.violation().detail());
        }
        String id = key.id();
        if (record.value() == null) {
            return new Decoded(new StateChange.Removal(type.name(), id), null, origin);
        }
        EntityState state;
        try {
            state = states.deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            return refuse(origin, type, id, null, "its value is not a readable EntityState: " + e.getMessage());
        }
        HlcTimestamp clock;
        try {
            // Checked for deleted states too: a clock the store cannot order by must be refused here, not thrown
            // from the applier, which would restart on the same record for ever.
            clock = HlcTimestamp.of(state.getClock());
        } catch (IllegalArgumentException e) {
            return refuse(origin, type, id, state.getVersion(), "its clock is not valid: " + e.getMessage());
        }
        if (state.getDeleted()) {
            return new Decoded(upsert(type, id, state, clock, null), null, origin);
        }
        if (state.getPayload() == null) {
            return refuse(origin, type, id, state.getVersion(), "it is not deleted yet has no payload");
        }
        try {
            GenericRecord payload = payloads.decode(state.getPayload(), type.schema());
            return new Decoded(upsert(type, id, state, clock, payload), null, origin);
        } catch (PayloadDecodingException | IllegalArgumentException e) {
            return refuse(origin, type, id, state.getVersion(),
                    "its payload does not decode as " + type.schema().getFullName() + ": " + e.getMessage());
        }
    }

    private static StateChange.Upsert upsert(EntityType type, String id, EntityState state, HlcTimestamp clock,
                                             GenericRecord payload) {
        return new StateChange.Upsert(type.name(), id, state.getVersion(), clock, state.getWriter(), state.getDeleted(),
                payload, state.getUpdatedAt());
    }

    private static Decoded refuse(RecordOrigin origin, EntityType type, String id, Long version, String reason) {
        LOG.error("Dead-lettering the record at {}-{} offset {} ({} '{}') because {}; the store keeps what it had for that entity",
                origin.topic(), origin.partition(), origin.offset(), type.name(), LogSafe.of(id), LogSafe.of(reason));
        return new Decoded(null, new DeadLetter(type.name(), id, version, reason, origin), origin);
    }
}
