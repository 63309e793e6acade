package dev.concord.processor.merge;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.RejectionReason;
import org.apache.avro.generic.GenericRecord;

/**
 * Optimistic concurrency: an event that carries {@code expectedVersion} applies only if the entity
 * is at exactly that version (0 = does not exist yet), whatever its clock — the version check is the
 * concurrency control, and the writer has seen the state it replaces. Otherwise it is refused with
 * {@code VERSION_MISMATCH} and the current version, and the writer can re-read and retry. Of two
 * writers racing from the same version, exactly one wins. An event without an expected version is
 * a blind write and falls back to last-writer-wins.
 */
public final class Optimistic implements MergeRule {

    public static final String RULE = "optimistic";

    private final LastWriterWins blindWrites;

    public Optimistic(LastWriterWins blindWrites) {
        this.blindWrites = blindWrites;
    }

    @Override
    public MergeDecision decide(EntityState current, EntityEvent event, GenericRecord payload, long nowMillis) {
        Long expected = event.getExpectedVersion();
        if (expected == null) {
            return blindWrites.decide(current, event, payload, nowMillis);
        }
        if (current != null && event.getEventId().equals(current.getLastEventId())) {
            return new MergeDecision.Duplicate();
        }
        long currentVersion = current == null ? 0 : current.getVersion();
        if (expected != currentVersion) {
            return new MergeDecision.Refused(RejectionReason.VERSION_MISMATCH,
                    "expected version " + expected + " but the entity is at version " + currentVersion);
        }
        MergeDecision viaWriteOrder = blindWrites.decide(current, event, payload, nowMillis);
        if (viaWriteOrder instanceof MergeDecision.Refused) {
            return viaWriteOrder;
        }
        return MergeDecision.Accepted.whole(LastWriterWins.stateFrom(event, currentVersion + 1, nowMillis));
    }
}
