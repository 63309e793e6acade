package dev.concord.consumer.feed;

import dev.concord.consumer.store.CursorGoneException;
import dev.concord.consumer.store.EntityReader;
import dev.concord.consumer.store.FeedCursor;
import dev.concord.consumer.store.StoredEntity;
import dev.concord.replica.store.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feed: one cursor ({@code change_seq}) for long polls and streams.
 *
 * <p>Inputs: the store (read in pages after a cursor) and the {@link ChangeNotifier} (woken after
 * every commit). Long polls wait on the notifier without holding a thread or a connection; streams
 * are {@link FeedSession}s that read when told and send at their client's pace. Store reads run on
 * a small pool of their own ({@code read-threads}), so however many clients wait, the feed holds at
 * most that many database connections and never starves the applier.
 *
 * <p>Limits: at most {@code max-streams} streams (WebSockets count from their handshake); each holds at most
 * {@code client-queue} changes; a stream whose client takes nothing for {@code stall-timeout} is told to
 * resync and closed; idle streams get a heartbeat every {@code heartbeat}. A cursor the store can no longer
 * serve without a gap ends a stream with a reset and fails a long poll with {@link CursorGoneException}.
 */
public final class ChangeFeedService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeedService.class);

    /** Thrown when {@code max-streams} clients already stream. */
    public static final class TooManyStreamsException extends RuntimeException {
        public TooManyStreamsException(int max) {
            super("this replica already streams to " + max + " clients; retry later or long-poll");
        }
    }

    private final EntityReader reader;
    private final ChangeNotifier notifier;
    private final FeedSettings settings;
    private final ExecutorService reads;
    private final ScheduledExecutorService timer;
    private final Set<FeedSession> sessions = ConcurrentHashMap.newKeySet();
    // streams admitted: open sessions plus WebSockets that have not subscribed yet; at most max-streams
    private final AtomicInteger admitted = new AtomicInteger();
    private final AutoCloseable listening;
    private final Counter resyncs;
    private final AtomicInteger sessionIds = new AtomicInteger();

    public ChangeFeedService(EntityReader reader, ChangeNotifier notifier, FeedSettings settings, MeterRegistry registry) {
        this.reader = reader;
        this.notifier = notifier;
        this.settings = settings;
        this.reads = Executors.newFixedThreadPool(settings.readThreads(), daemon("change-feed-read"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("change-feed-timer"));
        this.listening = notifier.listen(latest -> sessions.forEach(session -> session.committed(latest)));
        Gauge.builder("concord.feed.streams", admitted, AtomicInteger::get)
                .description("open SSE and WebSocket change streams, WebSockets not yet subscribed included").register(registry);
        this.resyncs = Counter.builder("concord.feed.resyncs").description("streams told to resync (slow client, store unavailable)").register(registry);
        long sweepEvery = Math.max(100, settings.stallTimeout().toMillis() / 4);
        timer.scheduleWithFixedDelay(this::resyncStalled, sweepEvery, sweepEvery, TimeUnit.MILLISECONDS);
        try {
            reader.storeId(); // read once now, so that no transport thread waits for it later
        } catch (StoreException e) {
            LOG.warn("The store id could not be read yet ({}); it is read on first use", e.getMessage());
        }
        long heartbeatEvery = settings.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(() -> sessions.forEach(FeedSession::heartbeat), heartbeatEvery, heartbeatEvery, TimeUnit.MILLISECONDS);
    }

    /**
     * A slot among the {@code max-streams}: taken when a client connects (a WebSocket at its handshake, before
     * it subscribes, so idle sockets count too), given back once when it goes.
     */
    public final class StreamPermit {
        private final AtomicBoolean released = new AtomicBoolean();

        private StreamPermit() {
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                admitted.decrementAndGet();
            }
        }
    }

    /**
     * Takes a stream slot.
     *
     * @throws TooManyStreamsException when {@code max-streams} are taken
     */
    public StreamPermit admit() {
        while (true) {
            int now = admitted.get();
            if (now >= settings.maxStreams()) {
                throw new TooManyStreamsException(settings.maxStreams());
            }
            if (admitted.compareAndSet(now, now + 1)) {
                return new StreamPermit();
            }
        }
    }

    /** This replica's store id: the store every cursor it hands out belongs to. */
    public String storeId() {
        return reader.storeId();
    }

    /** Runs {@code task} once after {@code delay} on the feed's timer (e.g. a WebSocket's subscribe timeout). */
    public void schedule(Duration delay, Runnable task) {
        timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    public FeedSettings settings() {
        return settings;
    }

    /**
     * Long poll: the changes after {@code after} at once, or, when there are none and {@code wait} is
     * positive, as soon as some commit (or an empty page with the same cursor once {@code wait} is over).
     *
     * @param types only these types; empty for all
     */
    public CompletableFuture<ChangePage> poll(FeedCursor after, List<String> types, int limit, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        return attempt(after, types, limit, deadline);
    }

    /** @throws CursorGoneException (in the future) when the store cannot serve {@code after} without a gap */
    private CompletableFuture<ChangePage> attempt(FeedCursor after, List<String> types, int limit, long deadline) {
        return CompletableFuture.supplyAsync(() -> {
            long seen = notifier.latest(); // before the query: a commit after it wakes the wait below
            return new Attempt(seen, reader.changesAfter(after, types, limit));
        }, reads).thenCompose(attempt -> {
            long remaining = deadline - System.nanoTime();
            if (!attempt.changes().isEmpty() || remaining <= 0) {
                return CompletableFuture.completedFuture(page(attempt.changes(), after));
            }
            return notifier.awaitAfter(attempt.seen())
                    .completeOnTimeout(-1L, remaining, TimeUnit.NANOSECONDS)
                    .thenCompose(latest -> latest < 0
                            ? CompletableFuture.completedFuture(page(List.of(), after))
                            : attempt(after, types, limit, deadline));
        });
    }

    private record Attempt(long seen, List<StoredEntity> changes) {
    }

    private ChangePage page(List<StoredEntity> changes, FeedCursor after) {
        long next = changes.isEmpty() ? after.seq() : changes.get(changes.size() - 1).changeSeq();
        return new ChangePage(changes.stream().map(ChangeView::of).toList(), next, reader.storeId());
    }

    /**
     * Opens a stream to {@code sink} from {@code after} in a slot of its own, given back when the stream ends;
     * the transport must call {@link FeedSession#close()} when its client goes away.
     *
     * @throws TooManyStreamsException when {@code max-streams} are taken
     */
    public FeedSession open(String transport, FeedCursor after, List<String> types, FeedSink sink) {
        StreamPermit permit = admit();
        try {
            return open(transport, after, types, sink, permit::release);
        } catch (RuntimeException e) {
            permit.release();
            throw e;
        }
    }

    /**
     * Opens a stream in a slot the transport already holds ({@link #admit()}) and gives back itself, e.g. a
     * WebSocket, whose slot outlives a subscription replaced by the next.
     */
    public FeedSession openAdmitted(String transport, FeedCursor after, List<String> types, FeedSink sink) {
        return open(transport, after, types, sink, () -> {
        });
    }

    private FeedSession open(String transport, FeedCursor after, List<String> types, FeedSink sink, Runnable onEnded) {
        String name = transport + "-" + sessionIds.incrementAndGet();
        FeedSession[] self = new FeedSession[1];
        // Every read checks the cursor against the store: the first one the client's, later ones the stream's own.
        FeedSession session = new FeedSession(name, after.seq(),
                (afterSeq, limit) -> reader.changesAfter(after.at(afterSeq), types, limit),
                reads, sink, notifier::latest, System::nanoTime, settings.clientQueue(), settings.pageSize(),
                () -> {
                    sessions.remove(self[0]);
                    onEnded.run();
                });
        self[0] = session;
        sessions.add(session);
        LOG.debug("Feed client {} follows {} after {}", name, types.isEmpty() ? "every type" : types, after.seq());
        return session.start();
    }

    private void resyncStalled() {
        long now = System.nanoTime();
        long stall = settings.stallTimeout().toNanos();
        for (FeedSession session : sessions) {
            if (session.stalled(now, stall)) {
                resyncs.increment();
                session.resync("slow consumer: took no message for " + settings.stallTimeout().toSeconds()
                        + " s with " + session.queued() + " changes queued; resume after your last seq");
            }
        }
    }

    @Override
    public void close() throws Exception {
        listening.close();
        sessions.forEach(session -> session.resync("the replica is shutting down; reconnect"));
        timer.shutdownNow();
        reads.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
