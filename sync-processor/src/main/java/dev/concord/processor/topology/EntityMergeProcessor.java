package dev.concord.processor.topology;

import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.avro.WriteRef;
import dev.concord.contract.events.ParkingCommand;
import dev.concord.contract.events.ReplayRequest;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.outcomes.DecisionHeaders;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.text.LogSafe;
import dev.concord.contract.topics.ConcordTopics;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.PoisonPolicy;
import dev.concord.processor.errors.PoisonEventException;
import dev.concord.processor.merge.MergeDecision;
import dev.concord.processor.merge.MergeRule;
import dev.concord.processor.merge.MergeRules;
import dev.concord.processor.metrics.SyncMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Applies one entity type's events to its state store under the type's merge rule.
 *
 * <p>Input: events keyed by entity id. Outputs: every state the store takes, with the same bytes (state sink: the
 * topic is the store's log, see {@link StateTopicAsChangelog}) — the new state when it changed, the same version when
 * only its remembered event ids did, null once a tombstone expires —, every discarded write (conflicts sink), every
 * refused event (rejected sink).
 * Before the rule runs, an event whose key is not a valid entity id ({@link EntityIdGrammar}) is
 * refused ({@code INVALID_ENTITY_ID}) and never stored, so is an event found on another partition than its key's
 * ({@code WRONG_PARTITION}, see {@link EventPartitions}), redelivered events are dropped (the entity's
 * state remembers its recent event ids, see {@link RecentEventIds}) and clocks too far ahead are
 * refused. An event whose payload does not match its type throws {@link PoisonEventException}, which
 * the processing handler sends to the dead-letter topic (whose handler logs the message: user-supplied
 * text in it goes through {@link LogSafe}). Under {@code exactly_once_v2} the stores,
 * the outputs and the input offset commit or abort together.
 */
final class EntityMergeProcessor implements Processor<byte[], EntityEvent, String, Object> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EntityMergeProcessor.class);

    // A partition's replay publishes this many states per punctuation, one punctuation every REPLAY_PACE.
    static final int REPLAY_CHUNK = 2_000;
    private static final java.time.Duration REPLAY_PACE = java.time.Duration.ofMillis(100);

    private final EntityType type;
    private final SyncTopology.Names names;
    private final PayloadCodec payloads;
    private final SyncSettings settings;
    private final SyncMetrics metrics;
    private final MergeRule rule;
    private final OutputSizeGuard outputs;
    private final ConcordTopics topics;
    private final EventPartitions partitions;
    // This type's local events topic, and the suffix of the ones mirrored from other regions: computed once, read per event.
    private final String localEvents;
    private final String mirroredSuffix;

    private ProcessorContext<String, Object> context;
    // entity id -> the entity's current state (deleted ones too, until their tombstone expires), with its recent event ids
    private EntityStateStore states;
    // deleted entities by deletion time (see TombstoneExpiryIndex)
    private TombstoneExpiryIndex tombstones;
    // What a type that parks does around the merge; null for a type that skips poisoned events (PoisonPolicy.SKIP).
    private EntityParking parking;
    // A replay of this partition in progress: the last key published (null: none in progress, "" : from the first).
    // In memory only: a rebalance in the middle ends it (counted); sending the request again is harmless.
    private String replayCursor;

    EntityMergeProcessor(EntityType type, SyncTopology.Names names, ConcordTopics topics, PayloadCodec payloads,
                         SyncSettings settings, SyncMetrics metrics, EventPartitions partitions) {
        this.type = type;
        this.names = names;
        this.payloads = payloads;
        this.settings = settings;
        this.metrics = metrics;
        this.rule = MergeRules.forType(type, payloads);
        this.outputs = new OutputSizeGuard(settings.maxOutputBytes(), topics);
        this.topics = topics;
        this.partitions = partitions;
        this.localEvents = TopicNames.events(type.name());
        this.mirroredSuffix = "." + localEvents;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.states = new EntityStateStore(context.getStateStore(names.stateStore()), topics.stateSerde());
        this.tombstones = new TombstoneExpiryIndex(context.getStateStore(names.expiryStore()));
        context.schedule(settings.expiryScanInterval(), PunctuationType.WALL_CLOCK_TIME, this::expireTombstones);
        context.schedule(REPLAY_PACE, PunctuationType.WALL_CLOCK_TIME, this::continuePartitionReplay);
        if (type.poison() == PoisonPolicy.PARK) {
            this.parking = new EntityParking(type, names, topics, metrics, context);
        }
    }

    @Override
    public void process(Record<byte[], EntityEvent> raw) {
        if (ReplayRequest.isRequest(raw.headers())) {
            replay(raw);
            return;
        }
        if (ParkingCommand.isCommand(raw.headers())) {
            if (parking == null) {
                metrics.parkingIgnored(type.name(), "not-parked");
            } else {
                parking.decide(raw, this::fold);
            }
            return;
        }
        EntityEvent event = raw.value();
        if (event == null) {
            throw new PoisonEventException("event without value on " + type.name());
        }
        EntityIdGrammar.Decoded key = EntityIdGrammar.decode(raw.key());
        if (!key.valid()) {
            reject(raw.withKey(event.getEntityId()), null, RejectionReason.INVALID_ENTITY_ID,
                    "Kafka key refused: " + key.violation().detail() + " An entity id is " + EntityIdGrammar.RULE + ".");
            return;
        }
        Record<String, EntityEvent> record = raw.withKey(key.id());
        Optional<RecordMetadata> metadata = context.recordMetadata();
        int partition = metadata.map(RecordMetadata::partition).orElse(-1);
        Optional<String> mirrored = metadata.map(RecordMetadata::topic).flatMap(this::mirroredFrom);
        mirrored.ifPresent(region -> metrics.mirroredEventFolded(region, raw.timestamp(), context.currentSystemTimeMs()));
        int home = partitions.misplaced(type, raw.key(), partition);
        if (home >= 0) {
            // Folding it here would fork the entity: this task has its own state for the key, the home task another.
            reject(record, null, RejectionReason.WRONG_PARTITION, "found on partition " + partition + " of "
                    + localEvents + "; events of this entity belong on partition " + home
                    + " (murmur2 of the key's UTF-8 bytes, as Kafka's Java producer places keyed records: docs/contract.md)");
            return;
        }
        String origin = mirrored.orElse(settings.region());
        if (origin != null && !type.appliesWritesOf(origin)) {
            // Every region sees this event once (locally or mirrored) and refuses it the same way: the states stay equal.
            reject(record, null, RejectionReason.NOT_HOME_REGION, type.name() + " takes writes in its home region '" + type.home()
                    + "' only; this one was written in '" + origin + "' (docs/multi-region.md)");
            return;
        }
        if (parking == null) {
            fold(record);
            return;
        }
        if (parking.holdIfParked(record)) {
            return;
        }
        Optional<RuntimeException> poison = EntityParking.eventFailure(this::fold, record);
        if (poison.isPresent()) {
            // Parked in this transaction, then dead-lettered as any poison by the processing handler (which lets
            // the task go on, keeping this store write). Any failure parks, not only a bad payload: in order means in order.
            parking.park(record, poison.get().getMessage());
            throw poison.get();
        }
    }

    /** The merge of one well-formed, well-placed event: dedup, clock guard, the type's rule, and the outputs. */
    void fold(Record<String, EntityEvent> record) {
        EntityEvent event = record.value();
        GenericRecord payload = checkBelongsHere(record.key(), event);
        EntityState current = states.get(record.key());
        if (RecentEventIds.contains(current, event.getEventId())) {
            metrics.duplicateDropped(type.name());
            return;
        }
        long now = context.currentSystemTimeMs();
        if (isClockTooFarAhead(event, now)) {
            // Remembered (stored and published) first: if that fails, the event is dead-lettered without a refusal.
            rememberRefusal(record, current);
            reject(record, current, RejectionReason.CLOCK_SKEW, "clock " + event.getClock().getPhysicalMillis()
                    + " is more than " + settings.maxClockSkew() + " ahead of the processor's " + now);
            return;
        }
        MergeDecision decision = rule.decide(current, event, payload, now);
        if (decision instanceof MergeDecision.Accepted accepted) {
            EntityState next = accepted.state();
            rememberEvent(next, current, event);
            apply(record, next, accepted.partialLoss().map(MergeDecision.Loss::fields).orElse(List.of()));
            accepted.partialLoss().ifPresent(loss -> recordConflict(record, ConflictScope.FIELDS, loss, next));
        } else if (decision instanceof MergeDecision.Discarded discarded) {
            // The state is unchanged; only its memory of event ids grows (published too: see keepUnchanged).
            rememberEvent(current, current, event);
            keepUnchanged(record.key(), current, record.timestamp());
            recordConflict(record, ConflictScope.RECORD, discarded.loss(), current);
        } else if (decision instanceof MergeDecision.Duplicate) {
            metrics.duplicateDropped(type.name());
            if (current != null && !event.getEventId().equals(current.getLastEventId())) {
                // The same write (clock and writer) under a new id: its writer learns so from the ledger, not from silence.
                reject(record, current, RejectionReason.ALREADY_APPLIED, "the entity already holds this write (clock "
                        + event.getClock().getPhysicalMillis() + "/" + event.getClock().getLogical() + ", writer "
                        + LogSafe.of(event.getWriter()) + ") under another event id; nothing changed");
            }
        } else if (decision instanceof MergeDecision.Refused refused) {
            rememberRefusal(record, current);
            reject(record, current, refused.reason(), refused.detail());
        }
    }

    /**
     * A replay request ({@link ReplayRequest}): the current state of the key's entity, or of every entity of this
     * task's partition, published again as it is (same bytes, same version), in this task's transaction like any
     * output, so it can never land after a newer state of the same entity. Nothing is stored; the request's headers
     * do not travel to the state topic. A request that names no entity held here changes nothing and is counted.
     */
    private void replay(Record<byte[], EntityEvent> request) {
        Optional<ReplayRequest.Scope> scope = ReplayRequest.scopeOf(request.headers());
        if (scope.isEmpty()) {
            metrics.replayIgnored(type.name(), "unknown-scope");
            return;
        }
        if (scope.get() == ReplayRequest.Scope.PARTITION) {
            // In chunks, one per punctuation, each in the transaction of the moment: a whole partition in one call would
            // hold one transaction open past its timeout, and the task would be fenced and replay again, forever.
            replayCursor = "";
            continuePartitionReplay(request.timestamp());
            return;
        }
        EntityIdGrammar.Decoded key = EntityIdGrammar.decode(request.key());
        EntityState current = key.valid() && belongsHere(key.id()) ? states.get(key.id()) : null;
        if (current == null) {
            // An invalid key, an unknown entity, or a request on another partition than the key's: none is held here.
            metrics.replayIgnored(type.name(), "no-such-entity");
            return;
        }
        republish(key.id(), current, request.timestamp());
        metrics.replayed(type.name(), 1);
    }

    @Override
    public void close() {
        if (parking != null) {
            parking.close();
        }
        if (replayCursor != null) {
            metrics.replayIgnored(type.name(), "interrupted");
            LOG.warn("A replay of {}'s partition stopped after key '{}' (the task moved or closed); send the request again"
                    + " to finish it: replaying twice is harmless", type.name(), LogSafe.of(replayCursor));
        }
    }

    private void continuePartitionReplay(long timestamp) {
        if (replayCursor == null) {
            return;
        }
        int[] replayed = {0};
        replayCursor = states.forEachAfter(replayCursor.isEmpty() ? null : replayCursor, REPLAY_CHUNK, entry -> {
            if (belongsHere(entry.key)) {
                republish(entry.key, entry.value, timestamp);
                replayed[0]++;
            }
        });
        metrics.replayed(type.name(), replayed[0]);
    }

    private void republish(String id, EntityState state, long timestamp) {
        context.forward(new Record<>(id, (Object) states.encode(state), timestamp), names.stateSink());
    }

    /**
     * Anything that is not a well-formed event of this type for this key is poison, not a conflict.
     * Returns the payload decoded (null for a DELETE), so the merge rule need not decode it again.
     */
    private GenericRecord checkBelongsHere(String key, EntityEvent event) {
        if (!type.name().equals(event.getEntityType()) || !key.equals(event.getEntityId())) {
            throw new PoisonEventException("event for " + LogSafe.of(event.getEntityType()) + "/" + LogSafe.of(event.getEntityId())
                    + " found under key " + LogSafe.of(key) + " in the events of " + type.name());
        }
        if (event.getOp() == Operation.DELETE) {
            return null;
        }
        if (event.getPayload() == null) {
            throw new PoisonEventException(event.getOp() + " without payload for " + type.name() + "/" + LogSafe.of(key));
        }
        try {
            return payloads.decode(event.getPayload(), type.schema());
        } catch (RuntimeException e) {
            throw new PoisonEventException("payload does not match type " + type.name() + ": " + e.getMessage(), e);
        }
    }

    /** {@code state} (the one about to be stored) remembers the event, and as many of {@code previous}'s ids as fit. */
    private void rememberEvent(EntityState state, EntityState previous, EntityEvent event) {
        state.setRecentEventIds(RecentEventIds.remember(previous, event.getEventId(), settings.recentEventIds()));
    }

    /**
     * A refusal is the write's final answer: a redelivery must not apply later, once the entity has moved
     * to the version it expected (found by the independent reference rules, bench's ReferenceMerge). The
     * id goes into the entity's recent ids; an entity that does not exist yet has no state to hold it, and
     * gets none just for that (a store entry per refused id of an unknown key would let anyone grow the store).
     */
    private void rememberRefusal(Record<String, EntityEvent> record, EntityState current) {
        if (current != null) {
            rememberEvent(current, current, record.value());
            keepUnchanged(record.key(), current, record.timestamp());
        }
    }

    /**
     * Stores a state whose version did not change (only its recent event ids did), and publishes it like every store
     * write: a restore must find the ids on the state topic. Without decision headers, as it decided no write; readers
     * skip it (a version they already hold).
     */
    private void keepUnchanged(String key, EntityState state, long timestamp) {
        storeAndPublish(new Record<>(key, states.encode(state), timestamp));
    }

    /**
     * The one way a state enters the store: checked whole (key, value, headers) first, then the same bytes to the store
     * and to the state topic, in the same transaction — the topic is the store's log ({@link StateTopicAsChangelog}).
     */
    private void storeAndPublish(Record<String, byte[]> state) {
        outputs.checkState(names.stateTopic(), state.key(), state.value(), state.headers());
        states.put(state.key(), state.value());
        context.forward(state.withValue((Object) state.value()), names.stateSink());
    }

    private boolean isClockTooFarAhead(EntityEvent event, long now) {
        return event.getClock().getPhysicalMillis() - now > settings.maxClockSkew().toMillis();
    }

    private void apply(Record<String, EntityEvent> record, EntityState state, List<String> lostFields) {
        // Which write this state decided, on the record itself: readers learn outcomes without another record.
        // (On a copy: the input's headers also travel to this event's conflict record, where they would mislead.)
        Headers headers = new RecordHeaders(record.headers().toArray());
        DecisionHeaders.mark(headers, record.value().getEventId().toString(), lostFields);
        storeAndPublish(record.withValue(states.encode(state)).withHeaders(headers));
        if (state.getDeleted()) {
            tombstones.add(state.getUpdatedAt().toEpochMilli(), record.key());
        }
        metrics.applied(type.name());
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

    /**
     * Deleted entities older than the retention leave the store and the state topic (a null lets
     * compaction drop them). Reads only the index entries that are due: O(expired), not O(all states).
     */
    private void expireTombstones(long now) {
        tombstones.backfillIfNeeded(states);
        List<KeyValue<Long, String>> due = tombstones.takeBefore(now - settings.tombstoneRetention().toMillis());
        for (KeyValue<Long, String> entry : due) {
            EntityState state = states.get(entry.value);
            // The entity may have come back, or been deleted again later: then this entry is stale.
            if (state != null && state.getDeleted() && state.getUpdatedAt().toEpochMilli() == entry.key && belongsHere(entry.value)) {
                states.delete(entry.value);
                context.forward(new Record<>(entry.value, null, now), names.stateSink());
                metrics.tombstoneExpired(type.name());
            }
        }
        metrics.tombstonesExamined(type.name(), due.size());
    }

    /**
     * Whether this task is the entity's home: after partitions were added to the type, a task can still hold entities
     * whose key now belongs on another partition. Their states are not published again (a replay, a tombstone's
     * expiry): the record would go where the key now belongs, into another task's log (docs/operations.md, "Scale").
     */
    private boolean belongsHere(String id) {
        return partitions.misplaced(type, id.getBytes(StandardCharsets.UTF_8), context.taskId().partition()) < 0;
    }

    /** The region an events topic is mirrored from ({@code <region>.concord.events.<type>}); empty for the local one. */
    private Optional<String> mirroredFrom(String topic) {
        return topic.length() > mirroredSuffix.length() && topic.endsWith(mirroredSuffix)
                ? Optional.of(topic.substring(0, topic.length() - mirroredSuffix.length())) : Optional.empty();
    }

    private String ledgerKey(String entityId) {
        return type.name() + "/" + entityId;
    }
}
