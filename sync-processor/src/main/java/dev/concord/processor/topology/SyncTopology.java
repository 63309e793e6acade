package dev.concord.processor.topology;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.topics.ConcordTopics;
import dev.concord.contract.topics.Topic;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import dev.concord.contract.types.PoisonPolicy;
import dev.concord.processor.metrics.SyncMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The sync topology, a pure function of the type declarations and settings: per entity type,
 *
 * <pre>
 * concord.events.&lt;type&gt; → merge-&lt;type&gt; (stores state.&lt;type&gt;, tombstone-expiry.&lt;type&gt;) ─┬→ concord.state.&lt;type&gt;
 *                                                                  ├→ concord.conflicts
 *                                                                  └→ concord.rejected
 * </pre>
 *
 * The state store has no changelog: {@code concord.state.<type>} is its log ({@link StateTopicAsChangelog}).
 * Types share nothing, so each forms its own sub-topology whose partitions spread over instances
 * independently. Poison records reach {@code concord.dlq} through the exception handlers.
 */
public final class SyncTopology {

    private SyncTopology() {
    }

    /** Node and store names of one type's sub-topology. */
    public record Names(String source, String processor, String stateStore, String expiryStore, String parkedStore,
                        String heldStore, String stateSink, String conflictSink, String rejectedSink, String deadLetterSink,
                        String stateTopic) {
        public static Names of(EntityType type) {
            String t = type.name();
            return new Names("events-" + t, "merge-" + t, "state." + t, "tombstone-expiry." + t, "parked." + t, "held." + t,
                    "state-sink-" + t, "conflicts-sink-" + t, "rejected-sink-" + t, "dead-letter-sink-" + t, TopicNames.state(t));
        }
    }

    /** @param partitions the events topics' partition counts, to refuse events a writer put on the wrong one */
    public static Topology build(ConcordContract contract, SyncSettings settings, SyncMetrics metrics, EventPartitions partitions) {
        StateTopicAsChangelog topology = new StateTopicAsChangelog();
        if (!settings.mirroredFrom().isEmpty()) {
            // Optimistic writes check a version, and each region counts its own: only one region may take them.
            List<String> homeless = contract.types().all().stream()
                    .filter(type -> type.policy() == MergePolicy.OPTIMISTIC && type.home() == null).map(EntityType::name).toList();
            if (!homeless.isEmpty()) {
                throw new IllegalStateException("optimistic types " + homeless + " declare no \"home\" region; across regions"
                        + " (concord.sync.mirrored-from) each needs one (docs/multi-region.md)");
            }
        }
        for (EntityType type : contract.types().all()) {
            addEntityType(topology, type, contract, settings, metrics, partitions);
        }
        return topology;
    }

    private static void addEntityType(StateTopicAsChangelog topology, EntityType type, ConcordContract contract,
                                      SyncSettings settings, SyncMetrics metrics, EventPartitions partitions) {
        ConcordTopics topics = contract.topics();
        Topic<String, EntityEvent> events = topics.events(type);
        Topic<String, EntityState> state = topics.state(type);
        Topic<String, ConflictRecord> conflicts = topics.conflicts();
        Topic<String, RejectedEvent> rejected = topics.rejected();
        Names names = Names.of(type);

        // Keys stay bytes until the processor decodes them strictly (EntityIdGrammar): a lenient String
        // deserializer would turn two different invalid byte strings into one entity id.
        // With other regions (docs/multi-region.md), their events mirrored here are folded with the local ones: the same
        // keys on the same partition numbers, so each task reads partition p of every one of these topics and holds
        // each entity once. The merge rules decide by clock and writer, never by arrival, so every region converges.
        List<String> sources = new ArrayList<>();
        sources.add(events.name());
        settings.mirroredFrom().forEach(region -> sources.add(TopicNames.mirroredEvents(region, type.name())));
        topology.addSource(names.source(), new ByteArrayDeserializer(), events.valueSerde().deserializer(),
                sources.toArray(String[]::new));
        topology.addProcessor(names.processor(),
                () -> new EntityMergeProcessor(type, names, topics, contract.payloads(), settings, metrics, partitions),
                names.source());
        // Each entity's state, which also remembers its recent event ids (dedup), as the encoded bytes that are
        // published (see EntityStateStore). No changelog of its own: the state topic is its log (StateTopicAsChangelog).
        // No record cache: Kafka Streams' cache is a sorted map of serialized keys and values, so every get and put
        // pays byte-array compares, and under exactly-once it is flushed every commit, so it rarely saves a write.
        // Measured (docs/performance.md): the processor 2.3x faster without it.
        // RocksDB or the heap, as the operator chose (StateStoreKind); both restore from the state topic.
        topology.addStateStore(Stores.keyValueStoreBuilder(
                settings.stateStore().supplier(names.stateStore()), state.keySerde(), Serdes.ByteArray())
                .withCachingDisabled().withLoggingDisabled(), names.processor());
        topology.restoreFrom(names.stateStore(), state.name());
        // Deleted entities by deletion time, so expiry reads only what is due (see TombstoneExpiryIndex).
        topology.addStateStore(Stores.keyValueStoreBuilder(
                settings.stateStore().supplier(names.expiryStore()), Serdes.String(), Serdes.String()), names.processor());
        if (type.poison() == PoisonPolicy.PARK) {
            // Parked entities and the events held behind them (see ParkedEntities); only types that park have them.
            topology.addStateStore(Stores.keyValueStoreBuilder(
                    settings.stateStore().supplier(names.parkedStore()), Serdes.String(), Serdes.ByteArray()), names.processor());
            topology.addStateStore(Stores.keyValueStoreBuilder(
                    settings.stateStore().supplier(names.heldStore()), Serdes.String(), Serdes.ByteArray()), names.processor());
            // A held event found poisoned when its entity is released: dead-lettered by the processor itself, since the
            // record Kafka Streams is processing then is the operator's command, not that event.
            topology.addSink(names.deadLetterSink(), TopicNames.DLQ, new StringSerializer(), new ByteArraySerializer(),
                    names.processor());
        }
        topology.addSink(names.stateSink(), state.name(), state.keySerde().serializer(), new ByteArraySerializer(),
                names.processor());
        topology.addSink(names.conflictSink(), conflicts.name(), conflicts.keySerde().serializer(),
                conflicts.valueSerde().serializer(), names.processor());
        topology.addSink(names.rejectedSink(), rejected.name(), rejected.keySerde().serializer(),
                rejected.valueSerde().serializer(), names.processor());
    }
}
