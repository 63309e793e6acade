package dev.concord.consumer.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.consumer.feed.FeedMessage;
import dev.concord.consumer.store.StoredEntity;
import dev.concord.contract.clock.HlcTimestamp;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** The SSE response as the HTTP layer sees it: one event per unit of demand, Reactive Streams' rules kept. */
class SseFeedPublisherTest {

    private final AtomicBoolean sessionClosed = new AtomicBoolean();
    private SseFeedPublisher publisher;
    private Recorder client;

    @BeforeEach
    void subscribed() {
        publisher = new SseFeedPublisher("store-1");
        publisher.attach(() -> sessionClosed.set(true));
        client = new Recorder();
        publisher.events().subscribe(client);
    }

    @Test
    void shouldSendAChangeOnlyWhenTheHttpLayerAsksForOneAndTellTheSessionThen() {
        client.request(1);
        assertThat(client.texts()).containsExactly(": change feed of store store-1\n\n");

        CompletionStage<?> sent = publisher.send(change(7));
        assertThat(sent.toCompletableFuture()).as("no demand yet: the session must wait").isNotDone();

        client.request(1);
        assertThat(sent.toCompletableFuture()).isDone();
        assertThat(client.texts().get(1)).startsWith("event: change\nid: store-1:7\ndata: {");
    }

    @Test
    void shouldAnswerARequestOfNothingWithAnErrorAsRule309Says() {
        client.request(0);

        assertThat(client.error).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCloseTheSessionWhenTheClientGoesAwayAndRefuseLaterMessages() {
        client.request(1);
        client.subscription.cancel();

        assertThat(sessionClosed).isTrue();
        assertThat(publisher.send(change(8)).toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    void shouldEndWithTheLastMessageWhenAskedForOneAndWithoutItOtherwise() {
        client.request(2);
        publisher.end(new FeedMessage.Resync(9, "slow consumer"));
        assertThat(client.texts().get(1)).startsWith("event: resync\ndata: {");
        assertThat(client.completed).isTrue();

        Recorder idle = new Recorder();
        SseFeedPublisher other = new SseFeedPublisher("store-1");
        other.events().subscribe(idle);
        other.end(new FeedMessage.Resync(9, "slow consumer"));
        assertThat(idle.completed).as("a client that reads nothing is not waited for").isTrue();
        assertThat(idle.texts()).isEmpty();
    }

    @Test
    void shouldRefuseASecondSubscriber() {
        Recorder second = new Recorder();
        publisher.events().subscribe(second);

        assertThat(second.error).hasMessageContaining("one subscriber");
    }

    private static FeedMessage change(long seq) {
        Instant at = Instant.parse("2026-01-02T03:04:05Z");
        return new FeedMessage.Change(new StoredEntity("customer", "c-" + seq, 1, new HlcTimestamp(1, 0), "w", false,
                "{\"name\":\"x\"}", at, at, seq));
    }

    private static final class Recorder implements Subscriber<byte[]> {
        private final List<byte[]> received = new ArrayList<>();
        private Subscription subscription;
        private Throwable error;
        private boolean completed;

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(byte[] bytes) {
            received.add(bytes);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {
            completed = true;
        }

        void request(long n) {
            subscription.request(n);
        }

        List<String> texts() {
            return received.stream().map(bytes -> new String(bytes, StandardCharsets.UTF_8)).toList();
        }
    }
}
