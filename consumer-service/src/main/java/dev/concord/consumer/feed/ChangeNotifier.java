package dev.concord.consumer.feed;

import jakarta.inject.Singleton;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The "something was committed" signal between the applier and the change feed: a monotonic
 * latest {@code change_seq}. The applier calls {@link #committed} after each batch commits; waiting
 * long-polls and open streams are woken and read the store themselves. Nothing but a number flows
 * through here, so the feed's memory does not depend on how much was written, and readers never
 * poll the database in a loop.
 *
 * <p>Waiters read {@link #latest()} <em>before</em> querying the store and then wait for a value
 * greater than that: a commit that lands between their query and their wait still wakes them.
 */
@Singleton
public class ChangeNotifier {

    private final AtomicLong latest = new AtomicLong();
    // one-shot waiters (long polls): completed with the new latest seq and dropped
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    // long-lived listeners (streams), told every advance; they must not block
    private final Set<LongConsumer> listeners = new CopyOnWriteArraySet<>();

    private record Waiter(long seen, CompletableFuture<Long> future) {
    }

    /** The change feed's head as last told (0 before the first). */
    public long latest() {
        return latest.get();
    }

    /** Raises the latest seq (never lowers it) and wakes whoever waits for less. */
    public void committed(long changeSeq) {
        long now = latest.accumulateAndGet(changeSeq, Math::max);
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter waiter = it.next();
            if (waiter.seen() < now) {
                it.remove();
                waiter.future().complete(now);
            }
        }
        for (LongConsumer listener : listeners) {
            listener.accept(now);
        }
    }

    /**
     * Completes once the latest seq is greater than {@code seen} (at once if it already is). Cancel
     * the future to stop waiting; a cancelled waiter is dropped at the next commit.
     */
    public CompletableFuture<Long> awaitAfter(long seen) {
        CompletableFuture<Long> future = new CompletableFuture<>();
        Waiter waiter = new Waiter(seen, future);
        waiters.add(waiter);
        future.whenComplete((value, error) -> waiters.remove(waiter));
        long now = latest.get();
        if (now > seen) {
            future.complete(now);
        }
        return future;
    }

    /** Calls {@code listener} with the latest seq after every commit until the returned handle is closed. */
    public AutoCloseable listen(LongConsumer listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    int waiting() {
        return waiters.size();
    }
}
