package dev.concord.producer.outcome;

import dev.concord.contract.outcomes.ConsistencyToken;
import dev.concord.contract.outcomes.WriteOutcome;
import java.util.List;

/**
 * A write's outcome as the API shows it ({@code decidedAt} in ISO-8601, as the replicas' {@code updatedAt}) (docs/consistency.md): {@code outcome} is {@code applied}, {@code superseded},
 * {@code rejected} or {@code duplicate}; {@code consistencyToken} makes a replica read wait until it reflects this decision.
 */
public record WriteOutcomeView(String eventId, String entityType, String entityId, String outcome, long version,
                               List<String> lostFields, Winner winner, String rule, String reason, String detail,
                               String decidedAt, String consistencyToken) {

    /** The write that holds what this one lost. */
    public record Winner(String eventId, Clock clock, String writer) {
    }

    /** A hybrid logical clock reading. */
    public record Clock(long physicalMillis, int logical) {
    }

    public static WriteOutcomeView of(WriteOutcome outcome) {
        WriteOutcome.Winner w = outcome.winner();
        return new WriteOutcomeView(outcome.eventId(), outcome.entityType(), outcome.entityId(), outcome.status().text(),
                outcome.version(), outcome.lostFields(),
                w == null ? null : new Winner(w.eventId(), new Clock(w.physicalMillis(), w.logical()), w.writer()),
                outcome.rule(), outcome.reason(), outcome.detail(), outcome.decidedAt().toString(), ConsistencyToken.of(outcome).text());
    }
}
