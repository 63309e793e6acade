package dev.concord.processor.topology;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.events.ParkingCommand;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.text.LogSafe;
import dev.concord.contract.topics.ConcordTopics;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.processor.errors.DeadLetters;
import dev.concord.processor.errors.OutputTooLargeException;
import dev.concord.processor.errors.PoisonEventException;
import dev.concord.processor.metrics.SyncMetrics;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * What a type declared {@code "poison": "park"} does around the merge, in one task: an entity whose event failed is
 * parked behind it, its later events are held in arrival order ({@link ParkedEntities}), and an operator's command
 * ({@link ParkingCommand}) releases or skips it, folding the held events through the processor's own merge. Every
 * store write and output is in the task's transaction, like the merge's.
 */
final class EntityParking {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EntityParking.class);

    // Events one parked entity may hold; later ones are dead-lettered (and can be replayed from there).
    static final int MAX_HELD_EVENTS = 10_000;

    private final EntityType type;
    private final SyncTopology.Names names;
    private final ConcordTopics topics;
    private final SyncMetrics metrics;
    private final ProcessorContext<String, Object> context;
    private final ParkedEntities parked;
    // This task's share of the instance's gauges, given back when the task closes (moves away).
    private long parkedHere;
    private long heldHere;

    EntityParking(EntityType type, SyncTopology.Names names, ConcordTopics topics, SyncMetrics metrics,
                  ProcessorContext<String, Object> context) {
        this.type = type;
        this.names = names;
        this.topics = topics;
        this.metrics = metrics;
        this.context = context;
        this.parked = new ParkedEntities(context.getStateStore(names.parkedStore()), context.getStateStore(names.heldStore()),
                topics.eventSerde());
        // The gauges exist (at 0) from the first task of the type on, not from the first parking: an alert needs them.
        metrics.parkedKeys(type.name(), 0);
        metrics.heldEvents(type.name(), 0);
        parked.all().forEach(entity -> {
            countParked(1);
            countHeld(entity.held());
        });
    }

    /** @return whether the event's entity is parked, in which case the event is now held behind it */
    boolean holdIfParked(Record<String, EntityEvent> record) {
        Optional<ParkedEntities.Parked> entity = parked.get(record.key());
        entity.ifPresent(parkedEntity -> hold(parkedEntity, record));
        return entity.isPresent();
    }

    /** Parks the entity behind the event that just failed (the processing handler dead-letters it). */
    void park(Record<String, EntityEvent> record, String reason) {
        boolean already = parked.get(record.key()).isPresent();
        parked.park(record.key(), record.value(), reason, context.currentSystemTimeMs());
        if (!already) {
            countParked(1);
        }
        metrics.parked(type.name());
        LOG.warn("Parked {}/{}: its later events wait for an operator to release or skip it ({})", type.name(),
                LogSafe.of(record.key()), LogSafe.of(reason));
    }

    private void hold(ParkedEntities.Parked entity, Record<String, EntityEvent> record) {
        if (entity.held() >= MAX_HELD_EVENTS) {
            // Bounded: an entity nobody attends to must not grow the store forever. The event is dead-lettered with
            // this reason, like poison, and can be replayed from there.
            throw new PoisonEventException("entity " + type.name() + "/" + LogSafe.of(record.key()) + " is parked and already holds "
                    + entity.held() + " events, the most one entity may hold");
        }
        long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
        parked.hold(entity, record.value(), offset);
        countHeld(1);
    }

    /**
     * An operator's decision about a parked entity ({@link ParkingCommand}): release tries the poisoned event again and,
     * if it folds, applies the held events in order; skip applies the held events without it (it stays in the dead-letter
     * topic). A held event that turns out poisoned parks the entity again behind it, dead-lettered, and the rest keep
     * waiting. A command for an entity that is not parked here changes nothing and is counted.
     */
    void decide(Record<byte[], EntityEvent> command, Consumer<Record<String, EntityEvent>> fold) {
        Optional<ParkingCommand.Action> action = ParkingCommand.actionOf(command.headers());
        EntityIdGrammar.Decoded key = EntityIdGrammar.decode(command.key());
        Optional<ParkedEntities.Parked> entity = key.valid() ? parked.get(key.id()) : Optional.empty();
        if (action.isEmpty() || entity.isEmpty()) {
            metrics.parkingIgnored(type.name(), action.isEmpty() ? "unknown-action" : "not-parked");
            return;
        }
        String id = key.id();
        if (action.get() == ParkingCommand.Action.RELEASE) {
            Record<String, EntityEvent> poisoned = new Record<>(id, parked.poisonedEvent(entity.get()), command.timestamp());
            Optional<RuntimeException> stillPoison = eventFailure(fold, poisoned);
            if (stillPoison.isPresent()) {
                // Still poison: it stays parked (the event is in the dead-letter topic already), with today's reason.
                String reason = stillPoison.get().getMessage();
                parked.park(id, poisoned.value(), reason, entity.get().sinceMillis());
                metrics.parkingIgnored(type.name(), "still-poisoned");
                LOG.warn("Release of {}/{} refused: its poisoned event still fails ({})", type.name(), LogSafe.of(id),
                        LogSafe.of(reason));
                return;
            }
        }
        parked.unpark(id);
        countParked(-1);
        metrics.unparked(type.name(), action.get().headerValue());
        List<ParkedEntities.Held> waiting = parked.held(id);
        for (int i = 0; i < waiting.size(); i++) {
            ParkedEntities.Held held = waiting.get(i);
            parked.removeHeld(held);
            countHeld(-1);
            Record<String, EntityEvent> record = new Record<>(id, held.event(), command.timestamp());
            Optional<RuntimeException> poison = eventFailure(fold, record);
            if (poison.isPresent()) {
                deadLetter(record, held.offset(), poison.get());
                park(record, poison.get().getMessage());
                parked.setHeldCount(id, waiting.size() - i - 1);
                return;
            }
        }
        LOG.info("{}/{} {}: {} held events applied", type.name(), LogSafe.of(id),
                action.get() == ParkingCommand.Action.RELEASE ? "released" : "skipped its poisoned event", waiting.size());
    }

    /**
     * Folds one event and returns its own failure, if it had one. A Kafka Streams failure is not the event's fault: it
     * propagates and fails the task (DeadLetterProcessingHandler), and nothing parks for it.
     */
    static Optional<RuntimeException> eventFailure(Consumer<Record<String, EntityEvent>> fold, Record<String, EntityEvent> record) {
        try {
            fold.accept(record);
            return Optional.empty();
        } catch (StreamsException kafkaStreamsFailure) {
            throw kafkaStreamsFailure;
        } catch (RuntimeException eventFailure) {
            return Optional.of(eventFailure);
        }
    }

    private void deadLetter(Record<String, EntityEvent> record, long offset, Exception error) {
        int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
        String stage = error instanceof OutputTooLargeException ? "produce" : "process";
        org.apache.kafka.common.header.Headers headers = DeadLetters.describe(stage, TopicNames.events(type.name()),
                partition, offset, error);
        byte[] value = topics.eventSerde().serializer().serialize(null, record.value());
        context.forward(new Record<>(record.key(), (Object) value, record.timestamp(), headers), names.deadLetterSink());
        metrics.deadLettered(stage);
    }

    private void countParked(long delta) {
        parkedHere += delta;
        metrics.parkedKeys(type.name(), delta);
    }

    private void countHeld(long delta) {
        heldHere += delta;
        metrics.heldEvents(type.name(), delta);
    }

    /** The task closes: its parked entities leave this instance's gauges (its next owner counts them). */
    void close() {
        metrics.parkedKeys(type.name(), -parkedHere);
        metrics.heldEvents(type.name(), -heldHere);
        parkedHere = 0;
        heldHere = 0;
    }
}
