package dev.concord.processor.runtime;

import dev.concord.processor.runtime.HangingTransactions.Findings;
import dev.concord.processor.runtime.HangingTransactions.Hanging;
import dev.concord.processor.runtime.HangingTransactions.Remedy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks for {@link HangingTransactions} at an interval. One its coordinator aborted ({@link Remedy#ABORT}) is aborted
 * here too (unless aborting is turned off), which completes that decision and frees the readers stalled on it, the
 * stream threads that could not fetch their committed offsets among them; any other is reported once, with what
 * aborting it would do and the command, for an operator to decide. When it last looked is kept as well: a look that
 * fails (the broker away), or that may read no partition at all (its permissions gone), leaves the count as it was,
 * and only the age of the last look says the count has gone stale.
 */
final class HangingTransactionsWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HangingTransactionsWatch.class);

    private final HangingTransactions finder;
    private final boolean abortAllowed;
    private final ScheduledExecutorService checker;
    private final Clock clock;
    private final Set<Hanging> reported = new HashSet<>();
    private Set<String> notDescribed = Set.of();
    private String lastFailure;
    private volatile int hangingCount;
    // Until the first look, the start: a watch that never manages to look shows as stale once the alert's window passed.
    private volatile long lastLookMillis;

    private HangingTransactionsWatch(HangingTransactions finder, boolean abortAllowed, ScheduledExecutorService checker,
                                     Clock clock) {
        this.finder = finder;
        this.abortAllowed = abortAllowed;
        this.checker = checker;
        this.clock = clock;
        this.lastLookMillis = clock.millis();
    }

    static HangingTransactionsWatch start(HangingTransactions finder, boolean abortAllowed, Duration every) {
        return start(finder, abortAllowed, every, Clock.systemUTC());
    }

    static HangingTransactionsWatch start(HangingTransactions finder, boolean abortAllowed, Duration every, Clock clock) {
        ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "hanging-transactions");
            thread.setDaemon(true);
            return thread;
        });
        HangingTransactionsWatch watch = new HangingTransactionsWatch(finder, abortAllowed, checker, clock);
        checker.scheduleWithFixedDelay(watch::checkQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return watch;
    }

    /** How many hanging transaction partitions the last check left open (a gauge: above zero, a reader is stalled). */
    int hangingCount() {
        return hangingCount;
    }

    /**
     * When the last look ended that found what is open on the partitions it may look at (seconds since the epoch; the
     * watch's start before the first): a gauge, whose age says whether {@link #hangingCount()} is still current.
     */
    double lastLookSeconds() {
        return lastLookMillis / 1000.0;
    }

    /** One check: aborts what is to be aborted, reports the rest once; returns what it left open. Not thread-safe. */
    List<Hanging> check() throws ExecutionException, InterruptedException, TimeoutException {
        Findings findings = finder.find();
        if (findings.partitionsLookedAt() > 0) {
            // Looked: what follows acts on it; an abort refused is said below and does not make the count stale. A look
            // that could read no partition at all (every topic refused) saw nothing, and leaves the last look as it was.
            lastLookMillis = clock.millis();
        }
        List<Hanging> left = new ArrayList<>();
        for (Hanging hanging : findings.hanging()) {
            if (abortAllowed && hanging.remedy() == Remedy.ABORT && tryAbort(hanging)) {
                continue;
            }
            left.add(hanging);
            // A hanging transaction whose verdict changes (say, once the offsets can be looked at) is reported again.
            if (reported.add(hanging)) {
                LOG.error("A transaction is left open on {}: read_committed readers of that partition wait until it is "
                        + "closed. Here {}. By hand: {} (docs/operations.md, \"A transaction left hanging\")",
                        hanging, hanging.remedy().meaning(), hanging.abortCommand());
            }
        }
        reported.retainAll(left);
        hangingCount = left.size();
        if (!findings.notDescribed().equals(notDescribed)) {
            notDescribed = findings.notDescribed();
            if (!notDescribed.isEmpty()) {
                LOG.warn("Could not look at the open transactions of {}: one left hanging there goes unseen, and only those "
                        + "its coordinator aborted are aborted (docs/operations.md, \"A transaction left hanging\", says "
                        + "which permissions let it look)", notDescribed);
            }
        }
        return left;
    }

    /** Aborts {@code hanging}; on a refusal says why once and leaves it for the next check or an operator. */
    private boolean tryAbort(Hanging hanging) throws InterruptedException {
        try {
            finder.abort(hanging);
            LOG.warn("Aborted the transaction left open on {}: {}", hanging, Remedy.ABORT.meaning());
            return true;
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (!reported.contains(hanging)) {
                LOG.warn("Could not abort the transaction left open on {}: {}", hanging, cause instanceof ClusterAuthorizationException
                        ? "aborting needs the ClusterAction permission on the cluster, which this processor's Kafka principal lacks"
                        : cause.toString());
            }
            return false;
        }
    }

    private void checkQuietly() {
        try {
            check();
            lastFailure = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // The broker may be away: the next check tries again. Said once per kind of failure, not every interval.
            String failure = (e.getCause() != null ? e.getCause() : e).toString();
            if (!failure.equals(lastFailure)) {
                LOG.warn("Could not look for hanging transactions: {}", failure);
                lastFailure = failure;
            }
        }
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
