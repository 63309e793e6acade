package dev.concord.consumer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.consumer.feed.ChangeFeedService;
import dev.concord.consumer.feed.FeedMessage;
import dev.concord.consumer.feed.FeedSession;
import dev.concord.consumer.feed.FeedSink;
import dev.concord.contract.outcomes.WriteOutcomes;
import dev.concord.contract.text.LogSafe;
import dev.concord.replica.ReplicatedTypes;
import dev.concord.security.ForbiddenException;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feed over a WebSocket at {@code /v1/changes/ws}.
 *
 * <p>The client sends {@code {"subscribe":{"types":["customer"],"after":<seq>,"store":"<id>"}}} (types
 * optional = all; after optional = 0, from the beginning; store optional = the store id of the cursor) within
 * {@code concord.feed.subscribe-timeout} of connecting. The server answers at once
 * {@code {"type":"subscribed","after":..,"types":[..],"store":".."}}, then pushes
 * {@code {"type":"change","change":{"seq":..,"type":..,"id":..,...}}} in seq order. To resume after a
 * reconnect the client subscribes again with the last seq it processed: no gap, no duplicate. A new
 * subscribe on the same socket replaces the previous one. When the client is too slow (or the store
 * cannot be read) it gets {@code {"type":"resync","after":<seq>}} and the socket closes with code 4000;
 * when the store can no longer serve its cursor without a gap, {@code {"type":"reset",...}} and code 4001
 * (start over from a listing). With {@code "conflicts": true} in the subscribe, the socket also gets
 * {@code {"type":"conflict",...}} for every write to an entity of those types that lost ({@link ConflictNotices}:
 * live, best effort, not replayed). A subscribe it cannot honour, or none in time, gets
 * {@code {"type":"error",...}} and code 1008; 1013 when too many clients stream already (a socket counts
 * from its handshake).
 */
@ServerWebSocket("/v1/changes/ws")
public class ChangesWebSocket {

    private static final Logger LOG = LoggerFactory.getLogger(ChangesWebSocket.class);
    // Strict: a repeated field is refused, not resolved to its last value.
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final String FEED = "concord.feed";
    private static final String PERMIT = "concord.feed.permit";
    private static final String SUBSCRIBED = "concord.feed.subscribed";
    private static final String CONFLICTS = "concord.feed.conflicts";
    private static final String SHAPE = "{\"subscribe\":{\"types\":[\"customer\"],\"after\":<seq>,\"store\":\"<id>\"}}";
    static final CloseReason RESYNC = new CloseReason(4000, "resync");
    static final CloseReason RESET = new CloseReason(4001, "reset");

    private static final String AUTHENTICATION = "concord.authentication";

    private final ReplicatedTypes types;
    private final ChangeFeedService feed;
    private final ReadAccess access;
    private final WriteOutcomes outcomes;

    ChangesWebSocket(ReplicatedTypes types, ChangeFeedService feed, ReadAccess access, WriteOutcomes outcomes) {
        this.types = types;
        this.feed = feed;
        this.access = access;
        this.outcomes = outcomes;
    }

    @OnOpen
    public void open(WebSocketSession session, HttpRequest<?> handshake) {
        // The handshake passed the security filter (credentials, Origin); each subscription is checked
        // against the grants it carried. Nothing is sent before the client subscribes.
        handshake.getUserPrincipal(Authentication.class).ifPresent(authentication -> session.put(AUTHENTICATION, authentication));
        // A socket holds a stream slot from its handshake, so sockets that never subscribe count too.
        ChangeFeedService.StreamPermit permit;
        try {
            permit = feed.admit();
        } catch (ChangeFeedService.TooManyStreamsException e) {
            sendAsync(session, error(e.getMessage())).whenComplete((ok, failure) -> session.close(CloseReason.TRY_AGAIN_LATER));
            return;
        }
        session.put(PERMIT, permit);
        Duration timeout = feed.settings().subscribeTimeout();
        feed.schedule(timeout, () -> {
            if (session.isOpen() && !session.contains(SUBSCRIBED)) {
                refuse(session, "no subscribe within " + timeout.toSeconds() + " s of connecting; send "
                        + "{\"subscribe\":{\"types\":[...],\"after\":<seq>}} right after connecting");
            }
        });
    }

    @OnMessage(maxPayloadLength = 64 * 1024)
    public void message(String text, WebSocketSession session) {
        if (!session.contains(PERMIT)) {
            return; // refused at the handshake (too many streams) and closing
        }
        FeedRequest request;
        boolean conflicts;
        try {
            JsonNode subscribe = subscribeObject(text);
            conflicts = conflictsWanted(subscribe);
            request = access.authorize(session.get(AUTHENTICATION, Authentication.class).orElse(null), subscription(subscribe))
                    .declared(types);
        } catch (FeedRequest.InvalidFeedRequest | ForbiddenException e) {
            refuse(session, e.getMessage());
            return;
        }
        stop(session);
        session.put(SUBSCRIBED, true);
        // Listening before the acknowledgement goes out, so no conflict decided after it is missed; sent after it.
        ConflictNotices notices = conflicts ? new ConflictNotices(outcomes, session, request.types()) : null;
        if (notices != null) {
            session.put(CONFLICTS, notices);
        }
        Sink sink = new Sink(session, subscribed(request));
        if (notices != null) {
            notices.afterAcknowledgement(sink.acknowledged);
        }
        FeedSession stream = feed.openAdmitted("ws", request.cursor(), request.types(), sink);
        session.put(FEED, stream);
        if (!session.isOpen()) {
            stop(session); // closed while subscribing: @OnClose may have run before the puts
        }
    }

    private String subscribed(FeedRequest request) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "subscribed");
        message.put("after", request.after());
        message.put("types", request.types());
        message.put("store", feed.storeId());
        return write(message);
    }

    @OnClose
    public void close(WebSocketSession session) {
        stop(session);
        session.get(PERMIT, ChangeFeedService.StreamPermit.class).ifPresent(ChangeFeedService.StreamPermit::release);
    }

    /**
     * Parses {@code {"subscribe":{"types":[...],"after":<seq>,"store":"<id>"}}} strictly: anything else (other
     * fields, a type that is not a non-blank string, an {@code after} that is not a whole number >= 0, ...)
     * is refused, never read as "everything from the beginning".
     */
    private static JsonNode subscribeObject(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (Exception e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw new FeedRequest.InvalidFeedRequest("message", "a JSON object like " + SHAPE, "not a JSON object", false);
        }
        refuseUnknownFields(root, "", Set.of("subscribe"));
        JsonNode subscribe = root.path("subscribe");
        if (!subscribe.isObject()) {
            throw new FeedRequest.InvalidFeedRequest("subscribe", "an object like " + SHAPE, describe(subscribe), false);
        }
        refuseUnknownFields(subscribe, "subscribe.", Set.of("types", "after", "store", "conflicts"));
        return subscribe;
    }

    /** {@code "conflicts": true} asks for the conflicts of the subscribed types too ({@link ConflictNotices}); default false. */
    private static boolean conflictsWanted(JsonNode subscribe) {
        JsonNode conflicts = subscribe.path("conflicts");
        if (conflicts.isMissingNode() || conflicts.isNull()) {
            return false;
        }
        if (!conflicts.isBoolean()) {
            throw new FeedRequest.InvalidFeedRequest("subscribe.conflicts", "true or false", describe(conflicts), false);
        }
        return conflicts.asBoolean();
    }

    private FeedRequest subscription(JsonNode subscribe) {
        JsonNode after = subscribe.path("after");
        long cursor = 0;
        if (!after.isMissingNode() && !after.isNull()) {
            if (!after.isIntegralNumber() || !after.canConvertToLong() || after.asLong() < 0) {
                throw new FeedRequest.InvalidFeedRequest("subscribe.after", "a change_seq: a whole number >= 0", describe(after), false);
            }
            cursor = after.asLong();
        }
        List<String> names = new ArrayList<>();
        JsonNode typeList = subscribe.path("types");
        if (!typeList.isMissingNode() && !typeList.isNull()) {
            if (!typeList.isArray()) {
                throw new FeedRequest.InvalidFeedRequest("subscribe.types", "an array of type names", describe(typeList), false);
            }
            for (JsonNode type : typeList) {
                if (!type.isTextual() || type.asText().isBlank()) {
                    throw new FeedRequest.InvalidFeedRequest("subscribe.types", "an array of type names (non-blank strings)",
                            describe(type), false);
                }
                names.add(type.asText().trim());
            }
        }
        JsonNode store = subscribe.path("store");
        if (!store.isMissingNode() && !store.isNull() && !store.isTextual()) {
            throw new FeedRequest.InvalidFeedRequest("subscribe.store", "the store id a previous subscribed message named",
                    describe(store), false);
        }
        return FeedRequest.of(types, cursor, store.isTextual() ? store.asText() : null, names.stream().distinct().toList());
    }

    private static void refuseUnknownFields(JsonNode object, String prefix, Set<String> known) {
        object.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw new FeedRequest.InvalidFeedRequest(prefix + name, "absent: the fields are " + known, "a field '" + name + "'", false);
            }
        });
    }

    /** What a client sent, shortened for an error message. */
    private static String describe(JsonNode node) {
        String text = node.isMissingNode() ? "nothing" : node.toString();
        return text.length() > 100 ? text.substring(0, 100) + "…" : text;
    }

    private static void refuse(WebSocketSession session, String detail) {
        sendAsync(session, error(detail)).whenComplete((ok, failure) -> {
            if (session.isOpen()) {
                session.close(CloseReason.POLICY_VIOLATION);
            }
        });
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
        ConflictNotices notices = session.get(CONFLICTS, ConflictNotices.class).orElse(null);
        if (notices != null) {
            session.remove(CONFLICTS);
            notices.close();
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
                            session.close(last instanceof FeedMessage.Reset ? RESET : RESYNC);
                        }
                    });
            LOG.debug("WebSocket {} told to {}: {}", session.getId(), last instanceof FeedMessage.Reset ? "reset" : "resync",
                    LogSafe.of(last.toJson()));
        }
    }
}
