package dev.concord.consumer.feed;

import dev.concord.consumer.store.EntityReader;
import dev.concord.consumer.store.StoredEntity;
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
 * <p>Limits: at most {@code max-streams} streams; each holds at most {@code client-queue} changes;
 * a stream whose client takes nothing for {@code stall-timeout} is told to resync and closed.
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
        Gauge.builder("concord.feed.streams", sessions, Set::size).description("open SSE and WebSocket change streams").register(registry);
        this.resyncs = Counter.builder("concord.feed.resyncs").description("streams told to resync (slow client, store unavailable)").register(registry);
        long sweepEvery = Math.max(100, settings.stallTimeout().toMillis() / 4);
        timer.scheduleWithFixedDelay(this::resyncStalled, sweepEvery, sweepEvery, TimeUnit.MILLISECONDS);
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
    public CompletableFuture<ChangePage> poll(long after, List<String> types, int limit, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        return attempt(after, types, limit, deadline);
    }

    private CompletableFuture<ChangePage> attempt(long after, List<String> types, int limit, long deadline) {
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

    private static ChangePage page(List<StoredEntity> changes, long after) {
        long next = changes.isEmpty() ? after : changes.get(changes.size() - 1).changeSeq();
        return new ChangePage(changes.stream().map(ChangeView::of).toList(), next);
    }

    /**
     * Opens a stream to {@code sink} from {@code after}; the transport must call
     * {@link FeedSession#close()} when its client goes away.
     *
     * @throws TooManyStreamsException when {@code max-streams} are open
     */
    public FeedSession open(String transport, long after, List<String> types, FeedSink sink) {
        if (sessions.size() >= settings.maxStreams()) {
            throw new TooManyStreamsException(settings.maxStreams());
        }
        String name = transport + "-" + sessionIds.incrementAndGet();
        FeedSession[] self = new FeedSession[1];
        FeedSession session = new FeedSession(name, after, (afterSeq, limit) -> reader.changesAfter(afterSeq, types, limit),
                reads, sink, notifier::latest, System::nanoTime, settings.clientQueue(), settings.pageSize(),
                () -> sessions.remove(self[0]));
        self[0] = session;
        sessions.add(session);
        LOG.debug("Feed client {} follows {} after {}", name, types.isEmpty() ? "every type" : types, after);
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
