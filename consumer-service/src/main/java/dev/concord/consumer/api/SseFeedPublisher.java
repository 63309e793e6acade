package dev.concord.consumer.api;

import dev.concord.consumer.feed.FeedMessage;
import dev.concord.consumer.feed.FeedSink;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * One SSE response as a {@link FeedSink}: a message goes out only when the HTTP layer has asked for
 * one (reactive-streams demand, which follows the connection's writes), so at most one message waits
 * here. Each change is {@code event: change}, {@code id: <store>:<seq>}, {@code data: <change JSON>}; a
 * resync is {@code event: resync}, {@code data: {"type":"resync","after":...}}, a reset {@code event: reset},
 * {@code data: {"type":"reset","store":...,"reason":...}}, and then the response ends. The client going away
 * cancels the subscription, which closes the feed session.
 *
 * <p>The events are written here, as bytes, rather than as Micronaut {@code Event}s, which always carry a
 * {@code data:} line: a comment ({@code : ...}) goes out first, so the response's headers are flushed at once
 * even on an idle feed (clients would time out otherwise), and as the heartbeat.
 */
final class SseFeedPublisher implements FeedSink {

    private final String storeId;
    // Reactor keeps the Reactive Streams rules (signals in order, request(n <= 0) answered with an error, demand
    // accounting, cancellation); this class only decides what to emit when there is demand.
    private final Flux<byte[]> events;
    private Runnable closeSession = () -> { };
    // guarded by this
    private FluxSink<byte[]> sink;
    // Counted here, not read from the sink: the HTTP layer requests more from inside onNext, before Reactor has
    // counted the event it is delivering, so the sink's figure can be one too high at that moment.
    private long demand;
    private boolean greeted;
    private byte[] pending;
    private CompletableFuture<Void> pendingSent;
    private boolean ending;
    private boolean done;

    SseFeedPublisher(String storeId) {
        this.storeId = storeId;
        this.events = Flux.create(this::subscribed, FluxSink.OverflowStrategy.ERROR);
    }

    /** Closes the feed session when the client goes away (the subscription is cancelled). */
    void attach(Runnable closeSession) {
        this.closeSession = closeSession;
    }

    /** The SSE response body: one subscriber, the HTTP layer. */
    Publisher<byte[]> events() {
        return events;
    }

    private void subscribed(FluxSink<byte[]> subscriber) {
        synchronized (this) {
            if (sink != null) {
                subscriber.error(new IllegalStateException("a change stream has one subscriber"));
                return;
            }
            sink = subscriber;
        }
        subscriber.onCancel(this::cancelled);
        subscriber.onRequest(this::granted);
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
        if (sink != null && !done && demand == 0) {
            // The client reads nothing: end without the message; EventSource resumes from its Last-Event-ID.
            done = true;
            pending = null;
            sink.complete();
        }
    }

    @Override
    public synchronized void heartbeat() {
        if (done || sink == null || !greeted || pending != null || demand == 0) {
            return; // something is on its way, or the client reads nothing (the stall timeout deals with that)
        }
        demand--;
        sink.next(comment("heartbeat"));
    }

    // Reactor answers request(n <= 0) with an error itself (rule 3.9); only positive amounts reach here.
    private synchronized void granted(long n) {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        emitIfRequested();
    }

    private void cancelled() {
        synchronized (this) {
            done = true;
            pending = null;
        }
        closeSession.run();
    }

    // The subscriber (the HTTP layer) never blocks in onNext, so emitting under the lock is safe.
    private synchronized void emitIfRequested() {
        if (done || sink == null) {
            return;
        }
        if (!greeted && demand > 0) {
            greeted = true;
            demand--;
            sink.next(comment("change feed of store " + storeId));
        }
        if (pending == null || demand == 0) {
            return;
        }
        byte[] event = pending;
        CompletableFuture<Void> sent = pendingSent;
        pending = null;
        pendingSent = null;
        demand--;
        sink.next(event);
        if (ending) {
            done = true;
            sink.complete();
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
