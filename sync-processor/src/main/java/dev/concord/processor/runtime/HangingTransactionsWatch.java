package dev.concord.processor.runtime;

import dev.concord.processor.runtime.HangingTransactions.Hanging;
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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks for {@link HangingTransactions} at an interval. A redoable one is aborted, so its input is read again and the
 * stream threads (which could not fetch their committed offsets past it) carry on; any other is reported once, with the
 * command that aborts it, for an operator to decide.
 */
final class HangingTransactionsWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HangingTransactionsWatch.class);

    private final HangingTransactions finder;
    private final boolean abortRedoable;
    private final ScheduledExecutorService checker;
    private final Set<Hanging> reported = new HashSet<>();
    private Set<TopicPartition> notDescribable = Set.of();
    private volatile int hangingCount;

    private HangingTransactionsWatch(HangingTransactions finder, boolean abortRedoable, ScheduledExecutorService checker) {
        this.finder = finder;
        this.abortRedoable = abortRedoable;
        this.checker = checker;
    }

    static HangingTransactionsWatch start(HangingTransactions finder, boolean abortRedoable, Duration every) {
        ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "hanging-transactions");
            thread.setDaemon(true);
            return thread;
        });
        HangingTransactionsWatch watch = new HangingTransactionsWatch(finder, abortRedoable, checker);
        checker.scheduleWithFixedDelay(watch::checkQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return watch;
    }

    /** How many hanging transaction partitions the last check left open (a gauge: above zero, a reader is stalled). */
    int hangingCount() {
        return hangingCount;
    }

    /** One check: aborts what is redoable (when allowed), reports the rest; returns what it left open. */
    List<Hanging> check() throws ExecutionException, InterruptedException, TimeoutException {
        List<Hanging> left = new ArrayList<>();
        // find() lists the group's offsets partition last: a pass cut short leaves it hanging, so the next pass still
        // finds the transaction's other partitions redoable.
        for (Hanging hanging : finder.find()) {
            if (!(abortRedoable && hanging.redoable() && aborted(hanging))) {
                left.add(hanging);
                if (reported.add(hanging)) {
                    LOG.error("A transaction is left open on {}: read_committed readers of that partition are stalled "
                            + "until it is aborted. {} Abort it by hand with: {} (docs/operations.md, \"A transaction "
                            + "left hanging\")", hanging, hanging.redoable() ? "Aborting it is safe: its input will be read "
                            + "again." : "Aborting it drops what it wrote there, though its input offsets committed.",
                            hanging.abortCommand());
                }
            }
        }
        reported.retainAll(left);
        hangingCount = left.size();
        Set<TopicPartition> refused = finder.notDescribable();
        if (!refused.equals(notDescribable)) {
            notDescribable = refused;
            if (!refused.isEmpty()) {
                LOG.warn("Not allowed to read the producers of {}: a transaction left hanging there goes unseen "
                        + "(docs/operations.md, \"A transaction left hanging\", says which permissions let it look)", refused);
            }
        }
        return left;
    }

    private boolean aborted(Hanging hanging) throws ExecutionException, InterruptedException, TimeoutException {
        try {
            finder.abort(hanging);
            LOG.warn("Aborted the transaction left open on {}: its coordinator had finished it without closing it there. "
                    + "Its input will be read again.", hanging);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClusterAuthorizationException) {
                LOG.warn("Cannot abort the transaction left open on {}: aborting needs the ClusterAction permission on the "
                        + "cluster, which this processor's Kafka principal lacks", hanging);
                return false;
            }
            throw e;
        }
    }

    private void checkQuietly() {
        try {
            check();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // The broker may be away or may refuse a describe: the next check tries again.
            LOG.warn("Could not look for hanging transactions: {}", e.getCause() != null ? e.getCause().toString() : e.toString());
        }
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
