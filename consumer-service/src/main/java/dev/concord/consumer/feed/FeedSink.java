package dev.concord.consumer.feed;

import java.util.concurrent.CompletionStage;

/** The transport side of one stream (an SSE response, a WebSocket session). */
public interface FeedSink {

    /**
     * Hands one message to the transport. The stage completes when the transport took it (written to
     * the connection, or requested by the subscriber): until then the session sends nothing more, which
     * is what bounds the memory a slow client can hold. Completes exceptionally if the client is gone.
     */
    CompletionStage<?> send(FeedMessage message);

    /** Sends {@code last} if the transport can, then closes the stream. Called once; never blocks. */
    void end(FeedMessage last);

    /** Sends a keep-alive if the transport has one (SSE: a comment line) and the client can take it now. Never blocks. */
    default void heartbeat() {
    }
}
