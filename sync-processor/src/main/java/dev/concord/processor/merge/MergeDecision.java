package dev.concord.processor.merge;

import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.avro.WriteRef;
import java.util.List;
import java.util.Optional;

/** What a merge rule decided about one event, given the entity's current state. */
public sealed interface MergeDecision {

    /** Fields of an event that lost, and the write that holds them. */
    record Loss(List<String> fields, WriteRef winner) {
        public Loss {
            fields = List.copyOf(fields);
        }
    }

    /** The event changes the entity: this is its new state (version + 1); some of its fields may still have lost. */
    record Accepted(EntityState state, Optional<Loss> partialLoss) implements MergeDecision {
        public static Accepted whole(EntityState state) {
            return new Accepted(state, Optional.empty());
        }
    }

    /** The whole event lost to the current state; the state stays as it is. */
    record Discarded(EntityState current, Loss loss) implements MergeDecision {
    }

    /** The event was already applied (same event id, or the same write again); replaying it changes nothing. */
    record Duplicate() implements MergeDecision {
    }

    /** The rule will not apply this event; {@code reason} is a code the writer can act on. */
    record Refused(RejectionReason reason, String detail) implements MergeDecision {
    }
}
