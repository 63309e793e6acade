package dev.concord.producer.outcome;

import dev.concord.contract.outcomes.WaitPreference;
import dev.concord.contract.outcomes.WriteOutcome;
import dev.concord.contract.outcomes.WriteOutcomes;
import dev.concord.producer.write.RequestRefused;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A request's wait for sync-processor's decision ({@code Prefer: wait=N}, RFC 7240), bounded by
 * {@code concord.outcomes.max-wait}. Waiting holds no thread: the request completes when the outcome is read.
 */
public final class DecisionWaits {

    private final WriteOutcomes outcomes;
    private final Duration maxWait;

    public DecisionWaits(WriteOutcomes outcomes, Duration maxWait) {
        this.outcomes = outcomes;
        this.maxWait = maxWait;
    }

    /**
     * The wait a request asks for, cut to the bound; empty when it asks none.
     *
     * @throws RequestRefused 400 naming {@code Prefer} when its {@code wait} is not a number of seconds
     */
    public Optional<Duration> requested(String prefer) {
        try {
            return WaitPreference.of(prefer, maxWait);
        } catch (IllegalArgumentException e) {
            throw RequestRefused.invalidHeader(WaitPreference.PREFER, WaitPreference.RULE, e.getMessage(),
                    "Prefer: wait must be a whole number of seconds (at most " + maxWait.toSeconds() + " are honoured).");
        }
    }

    /** The write's outcome once decided, or what is known of it (perhaps nothing) after {@code wait}. */
    public CompletableFuture<Optional<WriteOutcome>> await(String eventId, Duration wait) {
        return outcomes.await(eventId, wait);
    }

    public Optional<WriteOutcome> find(String eventId) {
        return outcomes.find(eventId);
    }
}
