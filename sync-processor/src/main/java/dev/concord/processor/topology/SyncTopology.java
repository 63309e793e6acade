package dev.concord.processor.topology;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.topics.ConcordTopics;
import dev.concord.contract.topics.Topic;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.processor.merge.MergeRules;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The sync topology, a pure function of the type declarations: per entity type,
 * {@code concord.events.<type>} → merge with the type's rule against the {@code state.<type>}
 * store → {@code concord.state.<type>}. Types share nothing, so each forms its own sub-topology and
 * its partitions are spread over instances independently.
 */
public final class SyncTopology {

    private SyncTopology() {
    }

    public static Topology build(EntityTypes types, ConcordTopics topics) {
        StreamsBuilder builder = new StreamsBuilder();
        for (EntityType type : types.all()) {
            addEntityType(builder, type, topics);
        }
        return builder.build();
    }

    /** The state store holding the current state of each entity of {@code type}, keyed by entity id. */
    public static String storeName(EntityType type) {
        return "state." + type.name();
    }

    private static void addEntityType(StreamsBuilder builder, EntityType type, ConcordTopics topics) {
        Topic<String, EntityEvent> events = topics.events(type);
        Topic<String, EntityState> state = topics.state(type);
        String store = storeName(type);

        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(store), state.keySerde(), state.valueSerde()));
        builder.stream(events.name(), Consumed.with(events.keySerde(), events.valueSerde()).withName("events-" + type.name()))
                .process(() -> new EntityMergeProcessor(store, MergeRules.forPolicy(type.policy())),
                        Named.as("merge-" + type.name()), store)
                .to(state.name(), Produced.with(state.keySerde(), state.valueSerde()).withName("state-" + type.name()));
    }
}
