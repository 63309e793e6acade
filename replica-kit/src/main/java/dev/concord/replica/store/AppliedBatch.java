package dev.concord.replica.store;

import java.util.List;

/**
 * What one committed batch changed in the store.
 *
 * @param applied          the changes that changed a row (inserted, replaced or removed)
 * @param stale            upserts that changed nothing: the version guard turned them away (an equal or
 *                         newer version was stored), or a newer version of the key in the same batch superseded them
 * @param feedHead         the change feed's head after the commit (see {@link ChangeSequence}); 0 when the batch changed
 *                         no row (a reader's cursor only ever needs a higher value than it has seen)
 * @param deadLetters      records of the batch written to the replica dead-letter instead (refused by the decoder or
 *                         by the store)
 */
public record AppliedBatch(List<StateChange> applied, int stale, long feedHead, List<DeadLetter> deadLetters) {

    public AppliedBatch {
        applied = List.copyOf(applied);
        deadLetters = List.copyOf(deadLetters);
    }

    public AppliedBatch withFeedHead(long head) {
        return new AppliedBatch(applied, stale, head, deadLetters);
    }

    public AppliedBatch(List<StateChange> applied, int stale, long feedHead) {
        this(applied, stale, feedHead, List.of());
    }
}
