package dev.concord.processor.topology;

import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.avro.WriteRef;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.topics.ConcordTopics;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.processor.errors.PoisonEventException;
import dev.concord.processor.merge.MergeDecision;
import dev.concord.processor.merge.MergeRule;
import dev.concord.processor.merge.MergeRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Applies one entity type's events to its state store under the type's merge rule.
 *
 * <p>Input: events keyed by entity id. Outputs: the new state when it changed (state sink; null once
 * a tombstone expires), every discarded write (conflicts sink), every refused event (rejected sink).
 * Before the rule runs, redelivered events are dropped (dedup window) and clocks too far ahead are
 * refused. An event whose payload does not match its type throws {@link PoisonEventException}, which
 * the processing handler sends to the dead-letter topic. Under {@code exactly_once_v2} the stores,
 * the outputs and the input offset commit or abort together.
 */
final class EntityMergeProcessor implements Processor<String, EntityEvent, String, Object> {

    private final EntityType type;
    private final SyncTopology.Names names;
    private final PayloadCodec payloads;
    private final SyncSettings settings;
    private final SyncMetrics metrics;
    private final MergeRule rule;
    private final OutputSizeGuard outputs;
    private ProcessorContext<String, Object> context;
    // entity id -> the entity's current state (deleted ones too, until their tombstone expires)
    private KeyValueStore<String, EntityState> states;
    // event id -> when it was applied (record time), in buckets one dedup window wide; old buckets expire
    private WindowStore<String, Long> seenEvents;

    EntityMergeProcessor(EntityType type, SyncTopology.Names names, ConcordTopics topics, PayloadCodec payloads,
                         SyncSettings settings, SyncMetrics metrics) {
        this.type = type;
        this.names = names;
        this.payloads = payloads;
        this.settings = settings;
        this.metrics = metrics;
        this.rule = MergeRules.forType(type, payloads);
        this.outputs = new OutputSizeGuard(settings.maxOutputBytes(), topics);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.states = context.getStateStore(names.stateStore());
        this.seenEvents = context.getStateStore(names.dedupStore());
        context.schedule(settings.expiryScanInterval(), PunctuationType.WALL_CLOCK_TIME, this::expireTombstones);
    }

    @Override
    public void process(Record<String, EntityEvent> record) {
        EntityEvent event = record.value();
        checkBelongsHere(record.key(), event);
        if (isDuplicate(event, record.timestamp())) {
            metrics.duplicateDropped(type.name());
            return;
        }
        long now = context.currentSystemTimeMs();
        EntityState current = states.get(record.key());
        if (isClockTooFarAhead(event, now)) {
            reject(record, current, RejectionReason.CLOCK_SKEW, "clock " + event.getClock().getPhysicalMillis()
                    + " is more than " + settings.maxClockSkew() + " ahead of the processor's " + now);
            rememberEvent(event, record.timestamp());
            return;
        }
        MergeDecision decision = rule.decide(current, event, now);
        if (decision instanceof MergeDecision.Accepted accepted) {
            apply(record, accepted.state());
            accepted.partialLoss().ifPresent(loss -> recordConflict(record, ConflictScope.FIELDS, loss, accepted.state()));
            rememberEvent(event, record.timestamp());
        } else if (decision instanceof MergeDecision.Discarded discarded) {
            recordConflict(record, ConflictScope.RECORD, discarded.loss(), discarded.current());
            rememberEvent(event, record.timestamp());
        } else if (decision instanceof MergeDecision.Duplicate) {
            metrics.duplicateDropped(type.name());
        } else if (decision instanceof MergeDecision.Refused refused) {
            reject(record, current, refused.reason(), refused.detail());
            // A refusal is this write's final answer: a redelivery must not apply later, when the entity
            // has moved to the version it expected (found by the independent reference rules).
            rememberEvent(event, record.timestamp());
        }
    }

    /** Anything that is not a well-formed event of this type for this key is poison, not a conflict. */
    private void checkBelongsHere(String key, EntityEvent event) {
        if (key == null || event == null) {
            throw new PoisonEventException("event without key or value on " + type.name());
        }
        if (!type.name().equals(event.getEntityType()) || !key.equals(event.getEntityId())) {
            throw new PoisonEventException("event for " + event.getEntityType() + "/" + event.getEntityId()
                    + " found under key " + key + " in the events of " + type.name());
        }
        if (event.getOp() != Operation.DELETE) {
            if (event.getPayload() == null) {
                throw new PoisonEventException(event.getOp() + " without payload for " + type.name() + "/" + key);
            }
            try {
                payloads.decode(event.getPayload(), type.schema());
            } catch (RuntimeException e) {
                throw new PoisonEventException("payload does not match type " + type.name() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Event ids are kept in buckets one dedup window wide (window start = bucket). Looking in this
     * record's bucket and the one before is two point lookups — no iterator — and always covers at
     * least one whole window back. Whole buckets expire with the store's segments.
     */
    private boolean isDuplicate(EntityEvent event, long timestamp) {
        String eventId = event.getEventId().toString();
        long bucket = bucketOf(timestamp);
        return seenEvents.fetch(eventId, bucket) != null
                || seenEvents.fetch(eventId, bucket - settings.dedupWindow().toMillis()) != null;
    }

    private void rememberEvent(EntityEvent event, long timestamp) {
        seenEvents.put(event.getEventId().toString(), timestamp, bucketOf(timestamp));
    }

    private long bucketOf(long timestamp) {
        return timestamp - Math.floorMod(timestamp, settings.dedupWindow().toMillis());
    }

    private boolean isClockTooFarAhead(EntityEvent event, long now) {
        return event.getClock().getPhysicalMillis() - now > settings.maxClockSkew().toMillis();
    }

    private void apply(Record<String, EntityEvent> record, EntityState state) {
        EntityState published = publishable(state);
        outputs.checkSize("state", names.stateTopic(), published, published.getPayload());
        states.put(record.key(), state);
        context.forward(record.withValue((Object) published), names.stateSink());
        metrics.applied(type.name());
    }

    /** What replicas see: a deleted entity carries no payload (the store keeps field registers). */
    private static EntityState publishable(EntityState state) {
        return state.getDeleted() && state.getPayload() != null
                ? EntityState.newBuilder(state).setPayload(null).build()
                : state;
    }

    private void recordConflict(Record<String, EntityEvent> record, ConflictScope scope, MergeDecision.Loss loss,
                                EntityState stateAfter) {
        EntityEvent loser = record.value();
        ConflictRecord conflict = ConflictRecord.newBuilder()
                .setEntityType(type.name())
                .setEntityId(record.key())
                .setRule(MergeRules.ruleName(type))
                .setScope(scope)
                .setFields(loss.fields())
                .setWinner(loss.winner())
                .setLoser(new WriteRef(loser.getEventId(), loser.getClock(), loser.getWriter(), loser.getOp()))
                .setStateVersion(stateAfter.getVersion())
                .setLoserPayload(loser.getPayload())
                .setDetectedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        outputs.checkSize("conflict record", TopicNames.CONFLICTS, conflict, conflict.getLoserPayload());
        context.forward(record.withKey(ledgerKey(record.key())).withValue((Object) conflict), names.conflictSink());
        metrics.conflict(type.name(), conflict.getRule(), scope);
    }

    private void reject(Record<String, EntityEvent> record, EntityState current, RejectionReason reason, String detail) {
        RejectedEvent rejected = RejectedEvent.newBuilder()
                .setReason(reason)
                .setDetail(detail)
                .setCurrentVersion(current == null ? 0 : current.getVersion())
                .setEvent(record.value())
                .setRejectedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        outputs.checkSize("rejected event", TopicNames.REJECTED, rejected, record.value().getPayload());
        context.forward(record.withKey(ledgerKey(record.key())).withValue((Object) rejected), names.rejectedSink());
        metrics.rejected(type.name(), reason);
    }

    /** Deleted entities older than the retention leave the store and the state topic (a null lets compaction drop them). */
    private void expireTombstones(long now) {
        long cutoff = now - settings.tombstoneRetention().toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, EntityState> all = states.all()) {
            while (all.hasNext()) {
                KeyValue<String, EntityState> entry = all.next();
                if (entry.value.getDeleted() && entry.value.getUpdatedAt().toEpochMilli() < cutoff) {
                    expired.add(entry.key);
                }
            }
        }
        for (String id : expired) {
            states.delete(id);
            context.forward(new Record<>(id, null, now), names.stateSink());
            metrics.tombstoneExpired(type.name());
        }
    }

    private String ledgerKey(String entityId) {
        return type.name() + "/" + entityId;
    }
}
