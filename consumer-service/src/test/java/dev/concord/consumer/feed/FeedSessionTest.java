package dev.concord.consumer.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.consumer.store.StoredEntity;
import dev.concord.contract.clock.HlcTimestamp;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A streaming client's session without a transport or a database: a list of changes stands in for
 * the store, the test completes (or withholds) each send, and runs the read tasks and the clock by hand.
 */
class FeedSessionTest {

    private static final long STALL = 30_000_000_000L;

    private final List<StoredEntity> store = new ArrayList<>();
    private final List<String> reads = new ArrayList<>();
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final AtomicLong latest = new AtomicLong();
    private final AtomicLong now = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RecordingSink sink = new RecordingSink();
    private boolean storeDown;

    /** Keeps every message; each send completes only when the test says so. */
    private static final class RecordingSink implements FeedSink {
        final List<FeedMessage> sent = new ArrayList<>();
        final List<CompletableFuture<Void>> pending = new ArrayList<>();
        FeedMessage last;

        @Override
        public CompletionStage<?> send(FeedMessage message) {
            sent.add(message);
            CompletableFuture<Void> future = new CompletableFuture<>();
            pending.add(future);
            return future;
        }

        @Override
        public void end(FeedMessage message) {
            last = message;
        }

        void completeAll() {
            while (!pending.isEmpty()) {
                pending.remove(0).complete(null);
            }
        }

        List<Long> seqs() {
            return sent.stream().map(FeedMessage::cursor).toList();
        }
    }

    private FeedSession session(long after, int capacity, int pageSize) {
        return new FeedSession("test", after, (afterSeq, limit) -> {
            reads.add(afterSeq + ":" + limit);
            if (storeDown) {
                throw new IllegalStateException("connection refused");
            }
            return store.stream().filter(e -> e.changeSeq() > afterSeq).limit(limit).toList();
        }, tasks::add, sink, latest::get, now::get, capacity, pageSize, () -> closed.set(true));
    }

    private void commit(long... seqs) {
        for (long seq : seqs) {
            store.add(entity(seq));
            latest.set(seq);
        }
    }

    /** Runs read tasks and completes sends until nothing moves. */
    private void drain() {
        while (!tasks.isEmpty() || !sink.pending.isEmpty()) {
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
            sink.completeAll();
        }
    }

    @Test
    void shouldSendEveryChangeAfterCursorInSeqOrder() {
        commit(1, 2, 4, 7, 9);
        FeedSession session = session(2, 10, 2).start();

        drain();

        assertThat(sink.seqs()).containsExactly(4L, 7L, 9L);
        assertThat(session.sentCursor()).isEqualTo(9);
        assertThat(reads).first().isEqualTo("2:2");
    }

    @Test
    void shouldReadMoreWhenNotifiedOfCommitAfterCatchingUp() {
        commit(1);
        FeedSession session = session(0, 10, 5).start();
        drain();

        commit(2, 3);
        session.committed(3);
        drain();

        assertThat(sink.seqs()).containsExactly(1L, 2L, 3L);
        int readsBefore = reads.size();
        session.committed(3); // nothing new: no read
        drain();
        assertThat(reads).hasSize(readsBefore);
    }

    @Test
    void shouldHoldNoMoreThanItsQueueWhenClientTakesNothing() {
        for (long seq = 1; seq <= 100; seq++) {
            commit(seq);
        }
        FeedSession session = session(0, 10, 4).start();

        while (!tasks.isEmpty()) {
            tasks.poll().run(); // reads, but the client never takes the first message
        }

        assertThat(sink.sent).hasSize(1);
        assertThat(session.queued()).isLessThanOrEqualTo(10);
        assertThat(reads).allSatisfy(read -> assertThat(Integer.parseInt(read.split(":")[1])).isLessThanOrEqualTo(4));

        drain(); // once the client reads again, everything comes, in order, once
        assertThat(sink.seqs()).hasSize(100).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void shouldTellStalledClientToResyncAfterLastChangeItTook() {
        commit(1, 2, 3);
        FeedSession session = session(0, 10, 10).start();
        tasks.poll().run();
        sink.pending.remove(0).complete(null); // took seq 1; seq 2 is now in flight and stays there

        assertThat(session.stalled(now.get() + STALL, STALL)).isFalse();
        now.addAndGet(STALL + 1);
        assertThat(session.stalled(now.get(), STALL)).isTrue();
        session.resync("slow consumer");

        assertThat(sink.last).isEqualTo(new FeedMessage.Resync(1, "slow consumer"));
        assertThat(closed).isTrue();
        assertThat(session.queued()).isZero();
        commit(4);
        session.committed(4);
        assertThat(tasks).isEmpty();
    }

    @Test
    void shouldTellClientToResyncWhenStoreCannotBeRead() {
        commit(1);
        storeDown = true;
        session(0, 10, 10).start();

        drain();

        assertThat(sink.last).isInstanceOfSatisfying(FeedMessage.Resync.class, resync -> {
            assertThat(resync.after()).isZero();
            assertThat(resync.reason()).contains("connection refused");
        });
        assertThat(closed).isTrue();
    }

    @Test
    void shouldStopWhenTransportFails() {
        commit(1, 2);
        FeedSession session = session(0, 10, 10).start();
        tasks.poll().run();

        sink.pending.remove(0).completeExceptionally(new IllegalStateException("broken pipe"));

        assertThat(session.isClosed()).isTrue();
        assertThat(closed).isTrue();
        assertThat(sink.sent).hasSize(1);
    }

    @Test
    void shouldRenderChangeAndResyncAsTheWebSocketSendsThem() {
        assertThat(new FeedMessage.Change(entity(5)).toJson())
                .startsWith("{\"type\":\"change\",\"change\":{\"seq\":5,\"type\":\"customer\",\"id\":\"c-5\",\"version\":1,")
                .contains("\"data\":{\"name\":\"c-5\"}");
        assertThat(new FeedMessage.Resync(7, "slow").toJson()).isEqualTo("{\"type\":\"resync\",\"after\":7,\"reason\":\"slow\"}");
    }

    private static StoredEntity entity(long seq) {
        return new StoredEntity("customer", "c-" + seq, 1, new HlcTimestamp(1000 + seq, 0), "sales", false,
                "{\"name\":\"c-" + seq + "\"}", Instant.EPOCH, Instant.EPOCH, seq);
    }
}
