package dev.concord.consumer.api;

import dev.concord.consumer.feed.FeedMessage;
import dev.concord.consumer.feed.FeedSession;
import dev.concord.consumer.feed.FeedSink;
import io.micronaut.http.sse.Event;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * One SSE response as a {@link FeedSink}: a message goes out only when the HTTP layer has asked for
 * one (reactive-streams demand, which follows the connection's writes), so at most one message waits
 * here. Each change is {@code event: change}, {@code id: <seq>}, {@code data: <change JSON>}; a resync
 * is {@code event: resync}, {@code data: {"type":"resync","after":...}}, and then the response ends.
 * The client going away cancels the subscription, which closes the {@link FeedSession}.
 */
final class SseFeedPublisher implements Publisher<Event<String>>, FeedSink {

    private FeedSession session;
    // guarded by this
    private Subscriber<? super Event<String>> subscriber;
    private long demand;
    private Event<String> pending;
    private CompletableFuture<Void> pendingSent;
    private boolean ending;
    private boolean done;

    void attach(FeedSession session) {
        this.session = session;
    }

    @Override
    public void subscribe(Subscriber<? super Event<String>> s) {
        synchronized (this) {
            if (subscriber != null) {
                s.onSubscribe(new Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                s.onError(new IllegalStateException("a change stream has one subscriber"));
                return;
            }
            subscriber = s;
        }
        s.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                granted(n);
            }

            @Override
            public void cancel() {
                cancelled();
            }
        });
    }

    @Override
    public synchronized CompletionStage<?> send(FeedMessage message) {
        if (done) {
            return CompletableFuture.failedFuture(new IllegalStateException("the SSE client is gone"));
        }
        CompletableFuture<Void> sent = new CompletableFuture<>();
        pending = event(message);
        pendingSent = sent;
        emitIfRequested();
        return sent;
    }

    @Override
    public synchronized void end(FeedMessage last) {
        if (done) {
            return;
        }
        // A change still waiting for demand is dropped: the resync's cursor is before it.
        if (pendingSent != null) {
            pendingSent.completeExceptionally(new IllegalStateException("stream ended"));
        }
        pending = event(last);
        pendingSent = null;
        ending = true;
        emitIfRequested();
        if (subscriber != null && demand == 0 && !done) {
            // The client reads nothing: end without the message; EventSource resumes from its Last-Event-ID.
            done = true;
            pending = null;
            subscriber.onComplete();
        }
    }

    private synchronized void granted(long n) {
        if (n <= 0) {
            return;
        }
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        emitIfRequested();
    }

    private void cancelled() {
        synchronized (this) {
            done = true;
            pending = null;
        }
        if (session != null) {
            session.close();
        }
    }

    // holds the lock: the subscriber (the HTTP layer) never blocks in onNext
    private void emitIfRequested() {
        if (done || subscriber == null || pending == null || demand == 0) {
            return;
        }
        Event<String> event = pending;
        CompletableFuture<Void> sent = pendingSent;
        pending = null;
        pendingSent = null;
        demand--;
        subscriber.onNext(event);
        if (ending) {
            done = true;
            subscriber.onComplete();
        }
        if (sent != null) {
            sent.complete(null);
        }
    }

    private static Event<String> event(FeedMessage message) {
        if (message instanceof FeedMessage.Change change) {
            return Event.of(change.changeJson()).name("change").id(String.valueOf(change.cursor()));
        }
        return Event.of(message.toJson()).name("resync");
    }
}
