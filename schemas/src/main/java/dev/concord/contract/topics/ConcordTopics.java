package dev.concord.contract.topics;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
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

    public ConcordTopics(SchemaStore catalog) {
        this.events = AvroSingleObjectSerde.of(EntityEvent.class, catalog);
        this.states = AvroSingleObjectSerde.of(EntityState.class, catalog);
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
