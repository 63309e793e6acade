package dev.concord.consumer.feed;

import dev.concord.consumer.store.CursorGoneException;
import dev.concord.consumer.store.StoredEntity;
import dev.concord.contract.text.LogSafe;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streaming client (SSE or WebSocket) following the change feed from its cursor.
 *
 * <p>The store is the buffer: the session reads pages of changes after its read cursor only while its
 * outbound queue has room, and sends one message at a time, the next only once the transport took the
 * previous one. So a client costs at most {@code capacity} queued changes, however far behind it is
 * and however fast the replica applies. A client that takes nothing for the stall timeout while a
 * message waits for it is told to resync from the last change it was sent, and the stream ends.
 *
 * <p>Order and uniqueness: pages are read in {@code change_seq} order strictly after the read cursor,
 * which only grows, and the queue is sent in order, so a client sees strictly increasing seqs and
 * never the same one twice; resuming after the last seq it got loses nothing (see
 * {@link dev.concord.consumer.store.ReplicaStore} for why a later commit never has a lower seq).
 *
 * <p>Threads: reads run on the feed executor (one at a time per session); sends start from whichever
 * thread completed the previous one. State is guarded by {@code this}; nothing blocks while holding it.
 */
public final class FeedSession {

    private static final Logger LOG = LoggerFactory.getLogger(FeedSession.class);

    /**
     * Reads up to {@code limit} changes after {@code afterSeq} (the session's types are bound in); throws
     * {@link CursorGoneException} when the store can no longer serve them without a gap: the stream then ends
     * with a {@link FeedMessage.Reset}.
     */
    public interface ChangeSource {
        List<StoredEntity> read(long afterSeq, int limit);
    }

    private final String name;
    private final ChangeSource source;
    private final Executor executor;
    private final FeedSink sink;
    private final LongSupplier latestSeq;
    private final LongSupplier nanoTime;
    private final int capacity;
    private final int pageSize;
    private final Runnable onClosed;

    // guarded by this
    private final ArrayDeque<StoredEntity> queue = new ArrayDeque<>();
    // every change with a seq up to here is queued, sent, or not for this client
    private long readCursor;
    // seq of the last change the transport took: where the client resumes
    private long sentCursor;
    private boolean filling;
    private boolean refillWanted;
    private boolean sending;
    private long sendStartedNanos;
    private boolean closed;

    /**
     * @param after     the client's cursor: it has every change up to this seq
     * @param latestSeq the latest committed seq ({@link ChangeNotifier#latest()})
     * @param onClosed  run once when the session ends, whichever side ends it
     */
    public FeedSession(String name, long after, ChangeSource source, Executor executor, FeedSink sink,
                       LongSupplier latestSeq, LongSupplier nanoTime, int capacity, int pageSize, Runnable onClosed) {
        if (capacity < 1 || pageSize < 1) {
            throw new IllegalArgumentException("capacity and page size must be positive: " + capacity + ", " + pageSize);
        }
        this.name = name;
        this.readCursor = after;
        this.sentCursor = after;
        this.source = source;
        this.executor = executor;
        this.sink = sink;
        this.latestSeq = latestSeq;
        this.nanoTime = nanoTime;
        this.capacity = capacity;
        this.pageSize = pageSize;
        this.onClosed = onClosed;
    }

    /** Starts streaming: reads the first page. */
    public FeedSession start() {
        requestFill();
        return this;
    }

    /** The applier committed up to {@code latest}: read more if this client has not read that far. */
    public void committed(long latest) {
        synchronized (this) {
            if (closed || latest <= readCursor) {
                return;
            }
        }
        requestFill();
    }

    /** Whether a message has waited longer than {@code stallNanos} for the transport to take it. */
    public synchronized boolean stalled(long nowNanos, long stallNanos) {
        return !closed && sending && nowNanos - sendStartedNanos > stallNanos;
    }

    /** The seq of the last change sent: the cursor to resume after. */
    public synchronized long sentCursor() {
        return sentCursor;
    }

    public synchronized int queued() {
        return queue.size();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Ends the stream with a resync message: the client reconnects and resumes after the last change
     * it was sent. Queued changes are dropped, not sent: they are in the store.
     */
    public void resync(String reason) {
        long after;
        synchronized (this) {
            after = sentCursor;
        }
        end(new FeedMessage.Resync(after, reason));
    }

    /**
     * Sends the heartbeat if nothing is on its way to the client: an idle stream still writes now and then,
     * so proxies keep it open and a vanished client is noticed.
     */
    public void heartbeat() {
        synchronized (this) {
            if (closed || sending) {
                return;
            }
        }
        sink.heartbeat();
    }

    /** Ends the stream with {@code last} (a resync or a reset); queued changes are dropped, the store has them. */
    private void end(FeedMessage last) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
        }
        LOG.info("Feed client {} ends: {}", name, LogSafe.of(last.toJson()));
        try {
            sink.end(last);
        } catch (RuntimeException e) {
            LOG.debug("Feed client {} could not be told why its stream ends ({}); it resumes from its own cursor", name, e.toString());
        } finally {
            onClosed.run();
        }
    }

    /** The client went away (or the server stops): no more reads or sends. */
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
        }
        onClosed.run();
    }

    private void requestFill() {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (filling) {
                refillWanted = true;
                return;
            }
            filling = true;
            refillWanted = false;
        }
        try {
            executor.execute(this::fill);
        } catch (RejectedExecutionException e) {
            close(); // the feed is shutting down
        }
    }

    private void fill() {
        long after;
        int want;
        synchronized (this) {
            want = Math.min(capacity - queue.size(), pageSize);
            if (closed || want <= 0) {
                // full: the next completed send that drains the queue to half asks again
                filling = false;
                return;
            }
            after = readCursor;
        }
        // Read before the query: every change up to here is visible to it.
        long latestBefore = latestSeq.getAsLong();
        List<StoredEntity> page;
        try {
            page = source.read(after, want);
        } catch (CursorGoneException e) {
            synchronized (this) {
                filling = false;
            }
            end(new FeedMessage.Reset(e.storeId(), e.getMessage()));
            return;
        } catch (RuntimeException e) {
            synchronized (this) {
                filling = false;
            }
            resync("the store cannot be read right now (" + e.getMessage() + "); reconnect shortly");
            return;
        }
        boolean again;
        synchronized (this) {
            filling = false;
            if (closed) {
                return;
            }
            queue.addAll(page);
            if (!page.isEmpty()) {
                readCursor = page.get(page.size() - 1).changeSeq();
            }
            if (page.size() < want) {
                // Nothing else up to latestBefore is for this client: skip past it, no need to read it again.
                readCursor = Math.max(readCursor, latestBefore);
            }
            boolean moreInStore = page.size() == want || latestSeq.getAsLong() > readCursor;
            again = refillWanted || (moreInStore && queue.size() < capacity);
            refillWanted = false;
        }
        pump();
        if (again) {
            requestFill();
        }
    }

    /** Sends queued messages one at a time; loops while the transport takes them synchronously. */
    private void pump() {
        while (true) {
            StoredEntity next;
            synchronized (this) {
                if (closed || sending || queue.isEmpty()) {
                    return;
                }
                next = queue.poll();
                sending = true;
                sendStartedNanos = nanoTime.getAsLong();
            }
            CompletableFuture<?> sent;
            try {
                sent = sink.send(new FeedMessage.Change(next)).toCompletableFuture();
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            if (!sent.isDone()) {
                sent.whenComplete((ignored, error) -> {
                    if (afterSend(next, error)) {
                        pump();
                    }
                });
                return;
            }
            Throwable error = sent.isCompletedExceptionally() ? sent.handle((v, e) -> e).join() : null;
            if (!afterSend(next, error)) {
                return;
            }
        }
    }

    /** @return whether to go on sending */
    private boolean afterSend(StoredEntity sent, Throwable error) {
        if (error != null) {
            LOG.debug("Feed client {} is gone ({}); closing its stream", name, error.toString());
            close();
            return false;
        }
        boolean refill;
        synchronized (this) {
            sending = false;
            sentCursor = sent.changeSeq();
            refill = !closed && !filling && queue.size() <= capacity / 2 && latestSeq.getAsLong() > readCursor;
        }
        if (refill) {
            requestFill();
        }
        return true;
    }

    @Override
    public String toString() {
        return name;
    }
}
