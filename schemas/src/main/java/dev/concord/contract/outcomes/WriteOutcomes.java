package dev.concord.contract.outcomes;

import dev.concord.contract.settings.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The outcomes of recent writes, by event id, as {@link DecisionLedgerReader} reads them; and the requests waiting for one.
 *
 * <p>Bounded twice, so its memory does not grow with the traffic: outcomes decided more than {@code retention} ago are
 * dropped, and beyond {@code maxEntries} the oldest go first (operations.md sizes both). A waiter is completed when
 * the outcome is {@linkplain WriteOutcome#complete() complete}, or with nothing when its time is up.
 */
public final class WriteOutcomes {

    private final Duration retention;
    private final int maxEntries;
    private final Clock clock;
    // insertion order = reading order, close to decision order: the eldest are the first to go
    private final LinkedHashMap<String, WriteOutcome> byEventId = new LinkedHashMap<>();
    private final Map<String, List<CompletableFuture<Optional<WriteOutcome>>>> waiters = new HashMap<>();
    private final List<Consumer<WriteOutcome>> lossListeners = new CopyOnWriteArrayList<>();

    public WriteOutcomes(Duration retention, int maxEntries, Clock clock) {
        if (retention.isNegative() || retention.isZero() || maxEntries < 1) {
            throw new IllegalArgumentException("retention must be positive and maxEntries at least 1");
        }
        this.retention = retention;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /**
     * As a service's configuration sets it, the one place for these settings: {@code concord.outcomes.retention}
     * (default 15 minutes) and {@code concord.outcomes.max-entries} (default 200,000).
     */
    public static WriteOutcomes configured(Settings settings) {
        return new WriteOutcomes(settings.duration("concord.outcomes.retention", Duration.ofMinutes(15)),
                settings.count("concord.outcomes.max-entries", 200_000, 1, 50_000_000), Clock.systemUTC());
    }

    public Duration retention() {
        return retention;
    }

    /** Adds one record of a decision (merged with what is known of it) and completes its waiters once it is complete. */
    public void record(WriteOutcome outcome) {
        List<CompletableFuture<Optional<WriteOutcome>>> woken;
        WriteOutcome merged;
        synchronized (this) {
            WriteOutcome known = byEventId.remove(outcome.eventId());
            merged = known == null ? outcome : known.mergedWith(outcome);
            byEventId.put(outcome.eventId(), merged);
            evict();
            woken = merged.complete() ? waiters.remove(outcome.eventId()) : null;
        }
        if (woken != null) {
            woken.forEach(waiter -> waiter.complete(Optional.of(merged)));
        }
        if (outcome.winner() != null) {
            lossListeners.forEach(listener -> listener.accept(merged));
        }
    }

    /**
     * Calls {@code listener} with every write that lost, whole or some fields, as its conflict record is read (the live
     * conflicts of the change feed), until the returned handle is closed. It runs on the reader's thread: it must not block.
     */
    public AutoCloseable onLoss(Consumer<WriteOutcome> listener) {
        lossListeners.add(listener);
        return () -> lossListeners.remove(listener);
    }

    /** The outcome of a write, as far as it is known; empty when not decided yet, or decided longer ago than is kept. */
    public synchronized Optional<WriteOutcome> find(String eventId) {
        return Optional.ofNullable(byEventId.get(eventId));
    }

    /**
     * Completes with the write's complete outcome as soon as it is known (at once if it is), or with what is known of it
     * (perhaps nothing) after {@code timeout}.
     */
    public CompletableFuture<Optional<WriteOutcome>> await(String eventId, Duration timeout) {
        CompletableFuture<Optional<WriteOutcome>> waiter = new CompletableFuture<>();
        synchronized (this) {
            WriteOutcome known = byEventId.get(eventId);
            if (known != null && known.complete()) {
                return CompletableFuture.completedFuture(Optional.of(known));
            }
            waiters.computeIfAbsent(eventId, id -> new ArrayList<>()).add(waiter);
        }
        // Forgotten before the caller hears back: once the answer is in, this waiter is gone (no race with waiting()).
        return waiter.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((outcome, error) -> forget(eventId, waiter))
                .thenApply(outcome -> outcome != null ? outcome : find(eventId));
    }

    /** How many outcomes are held (for the gauge). */
    public synchronized int size() {
        return byEventId.size();
    }

    /** How many requests are waiting (for the gauge). */
    public synchronized int waiting() {
        return waiters.values().stream().mapToInt(List::size).sum();
    }

    private synchronized void forget(String eventId, CompletableFuture<Optional<WriteOutcome>> waiter) {
        List<CompletableFuture<Optional<WriteOutcome>>> list = waiters.get(eventId);
        if (list != null) {
            list.remove(waiter);
            if (list.isEmpty()) {
                waiters.remove(eventId);
            }
        }
    }

    private void evict() {
        Instant oldest = clock.instant().minus(retention);
        Iterator<WriteOutcome> eldest = byEventId.values().iterator();
        while (eldest.hasNext()) {
            WriteOutcome outcome = eldest.next();
            if (byEventId.size() > maxEntries || outcome.decidedAt().isBefore(oldest)) {
                eldest.remove();
            } else {
                break;
            }
        }
    }
}
