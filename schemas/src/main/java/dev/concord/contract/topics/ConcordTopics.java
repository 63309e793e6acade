package dev.concord.contract.topics;

import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.serde.AvroSingleObjectSerde;
import dev.concord.contract.types.EntityType;
import org.apache.avro.message.SchemaStore;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** The typed topics of Concord, built once from the schema catalog and shared by every service and test. */
public final class ConcordTopics {

    private final Serde<String> keys = Serdes.String();
    private final Serde<EntityEvent> events;
    private final Serde<EntityState> states;
    private final Serde<ConflictRecord> conflicts;
    private final Serde<RejectedEvent> rejected;

    public ConcordTopics(SchemaStore catalog) {
        this.events = AvroSingleObjectSerde.of(EntityEvent.class, catalog);
        this.states = AvroSingleObjectSerde.of(EntityState.class, catalog);
        this.conflicts = AvroSingleObjectSerde.of(ConflictRecord.class, catalog);
        this.rejected = AvroSingleObjectSerde.of(RejectedEvent.class, catalog);
    }

    /** {@code concord.conflicts}: every discarded write, whole or per field; key = {@code <type>/<id>}. */
    public Topic<String, ConflictRecord> conflicts() {
        return new Topic<>(TopicNames.CONFLICTS, keys, conflicts);
    }

    /** {@code concord.rejected}: events refused with a reason code; key = {@code <type>/<id>}. */
    public Topic<String, RejectedEvent> rejected() {
        return new Topic<>(TopicNames.REJECTED, keys, rejected);
    }

    /** {@code concord.events.<type>}: writers' changes, key = entity id. */
    public Topic<String, EntityEvent> events(EntityType type) {
        return new Topic<>(TopicNames.events(type.name()), keys, events);
    }

    /** {@code concord.state.<type>} (compacted): the decided state, key = entity id; null = entity gone. */
    public Topic<String, EntityState> state(EntityType type) {
        return new Topic<>(TopicNames.state(type.name()), keys, states);
    }

    public Serde<EntityEvent> eventSerde() {
        return events;
    }

    public Serde<EntityState> stateSerde() {
        return states;
    }
}
