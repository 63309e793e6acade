package dev.concord.consumer.consistency;

import dev.concord.consumer.feed.ChangeNotifier;
import dev.concord.consumer.store.EntityReader;
import dev.concord.consumer.store.StoredEntity;
import dev.concord.contract.outcomes.ConsistencyToken;
import dev.concord.contract.outcomes.WaitPreference;
import dev.concord.contract.outcomes.WriteOutcome;
import dev.concord.contract.outcomes.WriteOutcomes;
import dev.concord.replica.ReplicatedTypes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Read your writes (docs/consistency.md): a read that carries a {@link ConsistencyToken} ({@code X-Concord-After}) is
 * answered once this replica's store reflects every write of the token the read concerns, or refused (503) when it
 * cannot within the bound. A write known by its event id is first resolved to the entity version that reflects its
 * decision (applied, superseded, rejected alike), through the outcomes this instance reads; then the store's version
 * of the entity is awaited on the {@link ChangeNotifier} (woken by the commits of every instance applying into the
 * store), never by polling in a loop. No thread is held while waiting; store reads run on {@code executor}.
 */
public final class ReadYourWrites {

    /** The request header carrying the token(s). */
    public static final String HEADER = "X-Concord-After";

    private final WriteOutcomes outcomes;
    private final ChangeNotifier notifier;
    private final EntityReader reader;
    private final ReplicatedTypes types;
    private final Duration maxWait;
    private final Executor executor;

    public ReadYourWrites(WriteOutcomes outcomes, ChangeNotifier notifier, EntityReader reader, ReplicatedTypes types,
                          Duration maxWait, Executor executor) {
        this.outcomes = outcomes;
        this.notifier = notifier;
        this.reader = reader;
        this.types = types;
        this.maxWait = maxWait;
        this.executor = executor;
    }

    /** What a read asks to reflect, and for how long it will wait. */
    public record Condition(ConsistencyToken token, Duration bound) {
    }

    /**
     * The condition a request's headers set; empty without a token.
     *
     * @throws InvalidConsistencyRequest naming the header when the token or the wait preference is malformed
     */
    public Optional<Condition> condition(String tokenHeader, String prefer) {
        if (tokenHeader == null) {
            return Optional.empty();
        }
        ConsistencyToken token;
        Duration wait;
        try {
            token = ConsistencyToken.parse(tokenHeader);
        } catch (IllegalArgumentException e) {
            throw new InvalidConsistencyRequest(HEADER, ConsistencyToken.RULE, e.getMessage());
        }
        try {
            wait = WaitPreference.of(prefer, maxWait).orElse(maxWait);
        } catch (IllegalArgumentException e) {
            throw new InvalidConsistencyRequest(WaitPreference.PREFER, WaitPreference.RULE, e.getMessage());
        }
        return Optional.of(new Condition(token, wait));
    }

    /**
     * Completes with true once the store reflects every write of the condition that {@code concerns} selects (writes of
     * types not replicated here are never awaited: no read here could show them), false when the wait is over first.
     */
    public CompletableFuture<Boolean> awaitReflected(Condition condition, Predicate<ConsistencyToken.Write> concerns) {
        long deadline = System.nanoTime() + condition.bound().toNanos();
        List<ConsistencyToken.Write> writes = condition.token().writes().stream()
                .filter(write -> types.find(write.type()).isPresent()).filter(concerns).toList();
        CompletableFuture<Boolean> all = CompletableFuture.completedFuture(true);
        for (ConsistencyToken.Write write : writes) {
            all = all.thenCompose(reflected -> reflected ? reflected(write, deadline) : CompletableFuture.completedFuture(false));
        }
        return all;
    }

    private CompletableFuture<Boolean> reflected(ConsistencyToken.Write write, long deadline) {
        if (write.isDecided()) {
            return versionReached(write.type(), write.entityId(), write.version(), deadline);
        }
        return outcomes.await(write.eventId(), remaining(deadline)).thenCompose(outcome -> outcome
                .map(WriteOutcome::version)
                .map(version -> versionReached(write.type(), write.entityId(), version, deadline))
                .orElseGet(() -> CompletableFuture.completedFuture(false)));
    }

    /** Reads the entity's version; if short of {@code version}, waits for the next commit (or the deadline) and reads again. */
    private CompletableFuture<Boolean> versionReached(String type, String id, long version, long deadline) {
        if (version <= 0) {
            return CompletableFuture.completedFuture(true);
        }
        // The feed's head is read before the store: a commit landing in between still wakes the wait below.
        return CompletableFuture.supplyAsync(() -> new Reading(notifier.latest(),
                reader.find(type, id).map(StoredEntity::version).orElse(0L)), executor).thenCompose(reading -> {
            if (reading.version() >= version) {
                return CompletableFuture.completedFuture(true);
            }
            Duration left = remaining(deadline);
            if (left.isZero()) {
                return CompletableFuture.completedFuture(false);
            }
            return notifier.awaitAfter(reading.head()).completeOnTimeout(-1L, left.toNanos(), TimeUnit.NANOSECONDS)
                    .thenCompose(head -> head == -1L ? CompletableFuture.completedFuture(false)
                            : versionReached(type, id, version, deadline));
        });
    }

    private record Reading(long head, long version) {
    }

    private static Duration remaining(long deadline) {
        long left = deadline - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    /** A malformed {@code X-Concord-After} or {@code Prefer}: a 400 naming it. */
    public static final class InvalidConsistencyRequest extends RuntimeException {
        public final String field;
        public final String expected;
        public final String actual;

        InvalidConsistencyRequest(String field, String expected, String actual) {
            super(field + " must be " + expected);
            this.field = field;
            this.expected = expected;
            this.actual = actual;
        }
    }
}
