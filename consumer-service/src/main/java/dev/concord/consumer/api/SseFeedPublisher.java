package dev.concord.consumer.api;

import dev.concord.consumer.feed.FeedMessage;
import dev.concord.consumer.feed.FeedSession;
import dev.concord.consumer.feed.FeedSink;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * One SSE response as a {@link FeedSink}: a message goes out only when the HTTP layer has asked for
 * one (reactive-streams demand, which follows the connection's writes), so at most one message waits
 * here. Each change is {@code event: change}, {@code id: <store>:<seq>}, {@code data: <change JSON>}; a
 * resync is {@code event: resync}, {@code data: {"type":"resync","after":...}}, a reset {@code event: reset},
 * {@code data: {"type":"reset","store":...,"reason":...}}, and then the response ends. The client going away
 * cancels the subscription, which closes the {@link FeedSession}.
 *
 * <p>The events are written here, as bytes, rather than as Micronaut {@code Event}s, which always carry a
 * {@code data:} line: a comment ({@code : ...}) goes out first, so the response's headers are flushed at once
 * even on an idle feed (clients would time out otherwise), and as the heartbeat.
 */
final class SseFeedPublisher implements Publisher<byte[]>, FeedSink {

    private final String storeId;
    private FeedSession session;
    // guarded by this
    private Subscriber<? super byte[]> subscriber;
    private long demand;
    private boolean greeted;
    private byte[] pending;
    private CompletableFuture<Void> pendingSent;
    private boolean ending;
    private boolean done;

    SseFeedPublisher(String storeId) {
        this.storeId = storeId;
    }

    void attach(FeedSession session) {
        this.session = session;
    }

    @Override
    public void subscribe(Subscriber<? super byte[]> s) {
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

    @Override
    public synchronized void heartbeat() {
        if (done || subscriber == null || !greeted || pending != null || demand == 0) {
            return; // something is on its way, or the client reads nothing (the stall timeout deals with that)
        }
        demand--;
        subscriber.onNext(comment("heartbeat"));
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
        if (!done && subscriber != null && !greeted && demand > 0) {
            greeted = true;
            demand--;
            subscriber.onNext(comment("change feed of store " + storeId));
        }
        if (done || subscriber == null || pending == null || demand == 0) {
            return;
        }
        byte[] event = pending;
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

    private byte[] event(FeedMessage message) {
        // The JSON is one line (Jackson's compact output, PostgreSQL's jsonb text): one data: line per event.
        String text;
        if (message instanceof FeedMessage.Change change) {
            text = "event: change\nid: " + storeId + ":" + change.cursor() + "\ndata: " + change.changeJson();
        } else if (message instanceof FeedMessage.Reset reset) {
            text = "event: reset\ndata: " + reset.toJson();
        } else {
            text = "event: resync\ndata: " + message.toJson();
        }
        return (text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] comment(String text) {
        return (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
