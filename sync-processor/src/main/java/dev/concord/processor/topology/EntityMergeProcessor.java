package dev.concord.processor.topology;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.processor.merge.MergeDecision;
import dev.concord.processor.merge.MergeRule;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds one entity type's events into its state store and forwards every accepted state.
 * Input: events keyed by entity id. Output: the new {@link EntityState}, same key, only when it changed.
 * Exactly once comes from the topology running under {@code exactly_once_v2}: the store write,
 * the forwarded state and the consumed offset commit or abort together.
 */
final class EntityMergeProcessor implements Processor<String, EntityEvent, String, EntityState> {

    private static final Logger LOG = LoggerFactory.getLogger(EntityMergeProcessor.class);

    private final String storeName;
    private final MergeRule rule;
    private ProcessorContext<String, EntityState> context;
    // entity id -> the entity's current state (tombstones included until they expire)
    private KeyValueStore<String, EntityState> states;

    EntityMergeProcessor(String storeName, MergeRule rule) {
        this.storeName = storeName;
        this.rule = rule;
    }

    @Override
    public void init(ProcessorContext<String, EntityState> context) {
        this.context = context;
        this.states = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, EntityEvent> record) {
        if (record.key() == null || record.value() == null) {
            LOG.warn("Skipping event without key or value on {} (key={})", storeName, record.key());
            return;
        }
        EntityState current = states.get(record.key());
        MergeDecision decision = rule.decide(current, record.value(), context.currentSystemTimeMs());
        if (decision instanceof MergeDecision.Accepted accepted) {
            states.put(record.key(), accepted.state());
            context.forward(record.withValue(accepted.state()));
        } else if (decision instanceof MergeDecision.Discarded discarded) {
            LOG.debug("Event {} for {} lost to version {} under {}",
                    record.value().getEventId(), record.key(), discarded.current().getVersion(), discarded.rule());
        } else if (decision instanceof MergeDecision.Duplicate) {
            LOG.debug("Dropped duplicate event {} for {}", record.value().getEventId(), record.key());
        } else if (decision instanceof MergeDecision.Refused refused) {
            LOG.warn("Refused event {} for {}: {} ({})",
                    record.value().getEventId(), record.key(), refused.reason(), refused.detail());
        }
    }
}
