package dev.concord.consumer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.consumer.config.ReplicatedTypes;
import dev.concord.consumer.feed.ChangeFeedService;
import dev.concord.consumer.feed.FeedMessage;
import dev.concord.consumer.feed.FeedSession;
import dev.concord.consumer.feed.FeedSink;
import dev.concord.security.ForbiddenException;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feed over a WebSocket at {@code /v1/changes/ws}.
 *
 * <p>The client sends {@code {"subscribe":{"types":["customer"],"after":<seq>}}} (types optional =
 * all; after optional = 0, from the beginning). The server answers at once
 * {@code {"type":"subscribed","after":..,"types":[..]}}, then pushes
 * {@code {"type":"change","change":{"seq":..,"type":..,"id":..,...}}} in seq order. To resume after a
 * reconnect the client subscribes again with the last seq it processed: no gap, no duplicate. A new
 * subscribe on the same socket replaces the previous one. When the client is too slow (or the store
 * cannot be read) it gets {@code {"type":"resync","after":<seq>}} and the socket closes with code 4000;
 * a subscribe it cannot honour gets {@code {"type":"error",...}} and code 1008; 1013 when too many
 * clients stream already.
 */
@ServerWebSocket("/v1/changes/ws")
public class ChangesWebSocket {

    private static final Logger LOG = LoggerFactory.getLogger(ChangesWebSocket.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FEED = "concord.feed";
    static final CloseReason RESYNC = new CloseReason(4000, "resync");

    private static final String AUTHENTICATION = "concord.authentication";

    private final ReplicatedTypes types;
    private final ChangeFeedService feed;
    private final ReadAccess access;

    ChangesWebSocket(ReplicatedTypes types, ChangeFeedService feed, ReadAccess access) {
        this.types = types;
        this.feed = feed;
        this.access = access;
    }

    @OnOpen
    public void open(WebSocketSession session, HttpRequest<?> handshake) {
        // The handshake passed the security filter (credentials, Origin); each subscription is checked
        // against the grants it carried. Nothing is sent before the client subscribes.
        handshake.getUserPrincipal(Authentication.class).ifPresent(authentication -> session.put(AUTHENTICATION, authentication));
    }

    @OnMessage(maxPayloadLength = 64 * 1024)
    public void message(String text, WebSocketSession session) {
        FeedRequest request;
        try {
            request = access.authorize(session.get(AUTHENTICATION, Authentication.class).orElse(null), subscription(text));
        } catch (FeedRequest.InvalidFeedRequest | ForbiddenException e) {
            refuse(session, e.getMessage());
            return;
        }
        stop(session);
        FeedSession stream;
        try {
            stream = feed.open("ws", request.after(), request.types(), new Sink(session, subscribed(request)));
        } catch (ChangeFeedService.TooManyStreamsException e) {
            session.sendAsync(error(e.getMessage())).whenComplete((ok, failure) -> session.close(CloseReason.TRY_AGAIN_LATER));
            return;
        }
        session.put(FEED, stream);
        if (!session.isOpen()) {
            stream.close(); // closed while subscribing: @OnClose may have run before the put
        }
    }

    private static String subscribed(FeedRequest request) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "subscribed");
        message.put("after", request.after());
        message.put("types", request.types());
        return write(message);
    }

    @OnClose
    public void close(WebSocketSession session) {
        stop(session);
    }

    private FeedRequest subscription(String text) {
        JsonNode subscribe;
        try {
            subscribe = JSON.readTree(text).path("subscribe");
        } catch (Exception e) {
            throw new FeedRequest.InvalidFeedRequest("message", "JSON like {\"subscribe\":{\"types\":[...],\"after\":<seq>}}", text, false);
        }
        if (!subscribe.isObject()) {
            throw new FeedRequest.InvalidFeedRequest("subscribe", "an object {\"types\":[...],\"after\":<seq>}", text, false);
        }
        JsonNode after = subscribe.path("after");
        if (!after.isMissingNode() && !after.isNull() && !after.canConvertToLong()) {
            throw new FeedRequest.InvalidFeedRequest("subscribe.after", "a change_seq >= 0", after.toString(), false);
        }
        long cursor = after.isMissingNode() || after.isNull() ? 0 : after.asLong();
        if (cursor < 0) {
            throw new FeedRequest.InvalidFeedRequest("subscribe.after", "a change_seq >= 0", after.toString(), false);
        }
        List<String> names = new ArrayList<>();
        JsonNode typeList = subscribe.path("types");
        if (!typeList.isMissingNode() && !typeList.isNull()) {
            if (!typeList.isArray()) {
                throw new FeedRequest.InvalidFeedRequest("subscribe.types", "an array of type names", typeList.toString(), false);
            }
            typeList.forEach(type -> names.add(type.asText()));
        }
        return FeedRequest.of(types, cursor, names.stream().map(String::trim).filter(t -> !t.isEmpty()).distinct().toList());
    }

    private void refuse(WebSocketSession session, String detail) {
        session.sendAsync(error(detail)).whenComplete((ok, failure) -> session.close(CloseReason.POLICY_VIOLATION));
    }

    private static String error(String detail) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "error");
        message.put("detail", detail);
        return write(message);
    }

    private static String write(Object message) {
        try {
            return JSON.writeValueAsString(message);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Micronaut throws rather than fails the future when the session is already closed. */
    private static CompletableFuture<String> sendAsync(WebSocketSession session, String text) {
        try {
            return session.sendAsync(text);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void stop(WebSocketSession session) {
        FeedSession previous = session.get(FEED, FeedSession.class).orElse(null);
        if (previous != null) {
            session.remove(FEED);
            previous.close();
        }
    }

    /**
     * Sends through the session; a send completes when Netty wrote the frame to the connection. The
     * first send is preceded by the {@code subscribed} acknowledgement (sends are sequential, so it
     * always goes out first).
     */
    private static final class Sink implements FeedSink {
        private final WebSocketSession session;
        private final CompletableFuture<?> acknowledged;

        Sink(WebSocketSession session, String subscribed) {
            this.session = session;
            this.acknowledged = sendAsync(session, subscribed);
        }

        @Override
        public CompletionStage<?> send(FeedMessage message) {
            return acknowledged.thenCompose(ok -> sendAsync(session, message.toJson()));
        }

        @Override
        public void end(FeedMessage last) {
            // Bounded wait for the resync to go out; a stalled client gets the close regardless.
            sendAsync(session, last.toJson())
                    .orTimeout(5, TimeUnit.SECONDS)
                    .whenComplete((ok, failure) -> {
                        if (session.isOpen()) {
                            session.close(RESYNC);
                        }
                    });
            LOG.debug("WebSocket {} told to resync: {}", session.getId(), last.toJson());
        }
    }
}
