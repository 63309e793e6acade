package dev.concord.processor.merge;

import dev.concord.contract.avro.EntityState;

/** What a merge policy decided about one event, given the entity's current state. */
public sealed interface MergeDecision {

    /** The event changes the entity: this is its new state (version + 1). */
    record Accepted(EntityState state) implements MergeDecision {
    }

    /** The event lost to the current state under {@code rule}; the state stays as it is. */
    record Discarded(EntityState current, String rule) implements MergeDecision {
    }

    /** The event was already applied (same event id); replaying it changes nothing. */
    record Duplicate() implements MergeDecision {
    }

    /** The policy cannot take this kind of event; {@code reason} is a code the writer can act on. */
    record Refused(String reason, String detail) implements MergeDecision {
    }
}
