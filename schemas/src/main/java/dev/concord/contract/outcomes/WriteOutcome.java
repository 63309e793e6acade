package dev.concord.contract.outcomes;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What became of one write, as sync-processor decided it (docs/consistency.md).
 *
 * @param version     {@code APPLIED}: the entity's version this write produced; {@code SUPERSEDED}: the entity's version
 *                    after the decision (it holds the winner); {@code REJECTED}, {@code DUPLICATE}: the entity's version
 *                    when it was refused (0: the entity did not exist). A replica at this version or later reflects the decision.
 * @param lostFields  the fields of the write that lost ({@code APPLIED} with a partial field-merge loss, {@code SUPERSEDED});
 *                    empty otherwise
 * @param winner      the write that holds what this one lost; null when nothing was lost (or not yet known)
 * @param rule        the merge rule that decided a loss; null otherwise
 * @param reason      {@code REJECTED}, {@code DUPLICATE}: the processor's reason code ({@code RejectionReason}); null otherwise
 * @param detail      {@code REJECTED}, {@code DUPLICATE}: what the writer can do; null otherwise
 */
public record WriteOutcome(String eventId, String entityType, String entityId, Status status, long version,
                           List<String> lostFields, Winner winner, String rule, String reason, String detail,
                           Instant decidedAt) {

    public enum Status {
        /** The write changed the entity (perhaps not every field: see {@code lostFields}). */
        APPLIED,
        /** The write lost, whole, to a newer one under the type's merge rule. */
        SUPERSEDED,
        /** The processor refused it (a stale {@code If-Match}, a clock too far ahead, ...). */
        REJECTED,
        /** The entity already held this very write (same clock and writer) under another event id. */
        DUPLICATE;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The write that holds: known by clock and writer always, by event id when the processor knows it. */
    public record Winner(String eventId, long physicalMillis, int logical, String writer) {
    }

    public WriteOutcome {
        lostFields = List.copyOf(lostFields);
    }

    /**
     * Whether every part of the decision has been read: an applied write with lost fields is written as a state record and
     * a conflict record (one transaction, two topics, read in either order); until both are in, the winner is missing.
     */
    public boolean complete() {
        return status != Status.APPLIED || lostFields.isEmpty() || winner != null;
    }

    /**
     * This outcome with what {@code other}, another record of the same decision, adds. A decision is final: a later
     * {@code DUPLICATE} (the same write re-sent under this id after it left the entity's memory) never replaces it.
     */
    WriteOutcome mergedWith(WriteOutcome other) {
        if (status == Status.DUPLICATE && other.status != Status.DUPLICATE) {
            return other.mergedWith(this);
        }
        if (status != Status.APPLIED || other.status != Status.APPLIED) {
            return this;
        }
        return new WriteOutcome(eventId, entityType, entityId, status, Math.max(version, other.version),
                lostFields.isEmpty() ? other.lostFields : lostFields, winner != null ? winner : other.winner,
                rule != null ? rule : other.rule, reason, detail, decidedAt.isBefore(other.decidedAt) ? decidedAt : other.decidedAt);
    }
}
