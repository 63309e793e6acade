package dev.concord.consumer.apply;

import dev.concord.consumer.config.ReplicatedTypes;
import dev.concord.consumer.store.StateChange;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.serde.PayloadCodec.PayloadDecodingException;
import dev.concord.contract.types.EntityType;
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
 * <p>Input: key = entity id, value = an {@link EntityState} in the single-object encoding, or null
 * (a Kafka tombstone). Output: an upsert whose data is the payload decoded with this replica's
 * reader schema and rendered as JSON; a removal for a tombstone; or nothing, with an error logged,
 * when the record cannot be decoded. Skipping keeps one bad record from stopping the replica; the
 * entity then keeps its previous state until a newer, readable state arrives. (The replica does not
 * write to {@code concord.dlq}: that topic has one writer, the processor.)
 */
public final class StateRecordDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(StateRecordDecoder.class);

    private final ReplicatedTypes types;
    private final Deserializer<EntityState> states;
    private final PayloadCodec payloads;

    public StateRecordDecoder(ReplicatedTypes types, Deserializer<EntityState> states, PayloadCodec payloads) {
        this.types = types;
        this.states = states;
        this.payloads = payloads;
    }

    public Optional<StateChange> decode(ConsumerRecord<String, byte[]> record) {
        EntityType type = types.forStateTopic(record.topic());
        // The key is the entity id: a tombstone carries nothing else.
        String id = record.key();
        if (id == null) {
            return skip(record, type, "it has no key (entity id)");
        }
        if (record.value() == null) {
            return Optional.of(new StateChange.Removal(type.name(), id));
        }
        EntityState state;
        try {
            state = states.deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            return skip(record, type, "its value is not a readable EntityState: " + e.getMessage());
        }
        if (state.getDeleted()) {
            return Optional.of(upsert(type, id, state, null));
        }
        if (state.getPayload() == null) {
            return skip(record, type, "it is not deleted yet has no payload");
        }
        try {
            GenericRecord payload = payloads.decode(state.getPayload(), type.schema());
            return Optional.of(upsert(type, id, state, AvroToJson.toJson(payload).toString()));
        } catch (PayloadDecodingException | IllegalArgumentException e) {
            return skip(record, type, "its payload does not decode as " + type.schema().getFullName() + ": " + e.getMessage());
        }
    }

    private static StateChange.Upsert upsert(EntityType type, String id, EntityState state, String dataJson) {
        return new StateChange.Upsert(type.name(), id, state.getVersion(), HlcTimestamp.of(state.getClock()),
                state.getWriter(), state.getDeleted(), dataJson, state.getUpdatedAt());
    }

    private static Optional<StateChange> skip(ConsumerRecord<String, byte[]> record, EntityType type, String reason) {
        LOG.error("Skipping the record at {}-{} offset {} ({} '{}') because {}; the store keeps what it had for that entity",
                record.topic(), record.partition(), record.offset(), type.name(), record.key(), reason);
        return Optional.empty();
    }
}
