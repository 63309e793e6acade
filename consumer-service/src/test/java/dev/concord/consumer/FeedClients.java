package dev.concord.consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/** Change-feed clients for tests: what a long-polling, SSE or WebSocket client received. */
public final class FeedClients {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private FeedClients() {
    }

    /** One change as a client saw it. */
    public record Change(long seq, String type, String id, long version, boolean deleted, String writer, String name) {

        static Change of(JsonNode change) {
            return new Change(change.path("seq").asLong(), change.path("type").asText(), change.path("id").asText(),
                    change.path("version").asLong(), change.path("deleted").asBoolean(), change.path("writer").asText(),
                    change.path("data").path("name").asText(null));
        }

        public String idAndVersion() {
            return id + "@" + version;
        }
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The changes of one long-poll answer, with its {@code next} cursor. */
    public record Page(List<Change> changes, long next) {

        public static Page of(String body) {
            JsonNode page = json(body);
            List<Change> changes = new ArrayList<>();
            page.path("changes").forEach(change -> changes.add(Change.of(change)));
            return new Page(changes, page.path("next").asLong());
        }
    }

    /** An SSE connection that collects events until closed. */
    public static final class SseClient implements AutoCloseable {
        public record Event(String name, String id, String data) {
        }

        private final List<Event> events = new CopyOnWriteArrayList<>();
        private final List<Change> changes = new CopyOnWriteArrayList<>();
        private final List<String> comments = new CopyOnWriteArrayList<>();
        private volatile Flow.Subscription subscription;
        private volatile boolean closed;
        private volatile boolean ended;
        private volatile int status;
        private final int stopAfter;

        private SseClient(int stopAfter) {
            this.stopAfter = stopAfter;
        }

        public static SseClient connect(URI uri, Map<String, String> headers) {
            return connect(uri, headers, Integer.MAX_VALUE);
        }

        /**
         * @param stopAfter changes after which the client reads no further (what the server sends next
         *                  stays unread in the connection, as with a client that crashes mid-stream)
         */
        public static SseClient connect(URI uri, Map<String, String> headers, int stopAfter) {
            SseClient client = new SseClient(stopAfter);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
            if (!headers.containsKey(RunningReplica.KEY_HEADER)) {
                request.header(RunningReplica.KEY_HEADER, RunningReplica.KEY);
            }
            headers.forEach(request::header);
            HTTP.sendAsync(request.build(), info -> {
                client.status = info.statusCode();
                return HttpResponse.BodySubscribers.fromLineSubscriber(client.lines());
            });
            return client;
        }

        private Flow.Subscriber<String> lines() {
            return new Flow.Subscriber<>() {
                private String name;
                private String id;
                private final StringBuilder data = new StringBuilder();

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    s.request(1);
                }

                @Override
                public void onNext(String line) {
                    if (closed) {
                        return; // what arrives after the client hung up was never seen
                    }
                    if (line.isEmpty()) {
                        if (data.length() > 0 || name != null) {
                            Event event = new Event(name, id, data.toString());
                            events.add(event);
                            if ("change".equals(name)) {
                                changes.add(Change.of(json(event.data())));
                            }
                        }
                        name = null;
                        id = null;
                        data.setLength(0);
                    } else if (line.startsWith(":")) {
                        comments.add(line.substring(1).trim());
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("data:")) {
                        if (data.length() > 0) {
                            data.append('\n');
                        }
                        data.append(line.substring(5).stripLeading());
                    }
                    if (changes.size() < stopAfter) {
                        subscription.request(1);
                    }
                }

                @Override
                public void onError(Throwable throwable) {
                    ended = true;
                }

                @Override
                public void onComplete() {
                    ended = true;
                }
            };
        }

        public List<Change> changes() {
            return List.copyOf(changes);
        }

        public List<Event> events() {
            return List.copyOf(events);
        }

        /** The comment lines received ({@code : text}), e.g. heartbeats. */
        public List<String> comments() {
            return List.copyOf(comments);
        }

        public boolean ended() {
            return ended;
        }

        public int status() {
            return status;
        }

        /** Drops the connection, as a client going away does. */
        @Override
        public void close() {
            closed = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }

    /** A WebSocket connection to the change feed that collects what the server sends. */
    public static final class WsClient implements AutoCloseable {
        private final List<JsonNode> messages = new CopyOnWriteArrayList<>();
        private final List<Change> changes = new CopyOnWriteArrayList<>();
        private final WebSocket socket;
        private volatile boolean closed;
        private volatile int closeCode = -1;

        private volatile int stopAfter;
        private volatile WebSocket opened;

        private WsClient(URI uri, int stopAfter) {
            this.stopAfter = stopAfter;
            StringBuilder partial = new StringBuilder();
            this.socket = HTTP.newWebSocketBuilder().header(RunningReplica.KEY_HEADER, RunningReplica.KEY).buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence text, boolean last) {
                    partial.append(text);
                    if (last && !closed) {
                        JsonNode message = json(partial.toString());
                        partial.setLength(0);
                        messages.add(message);
                        if ("change".equals(message.path("type").asText())) {
                            changes.add(Change.of(message.path("change")));
                        }
                    }
                    if (changes.size() < WsClient.this.stopAfter) {
                        webSocket.request(1);
                    }
                    return null;
                }

                @Override
                public void onOpen(WebSocket webSocket) {
                    opened = webSocket;
                    webSocket.request(1);
                }

                @Override
                public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                    closeCode = statusCode;
                    return null;
                }
            }).orTimeout(30, TimeUnit.SECONDS).join();
        }

        /** Connects without subscribing. */
        public static WsClient connect(URI uri) {
            return new WsClient(uri, Integer.MAX_VALUE);
        }

        /** Connects and subscribes to {@code types} after {@code after}. */
        public static WsClient subscribe(URI uri, List<String> types, long after) {
            return subscribe(uri, types, after, Integer.MAX_VALUE);
        }

        /** @param stopAfter changes after which the client reads no further messages */
        public static WsClient subscribe(URI uri, List<String> types, long after, int stopAfter) {
            WsClient client = new WsClient(uri, stopAfter);
            client.send("{\"subscribe\":{\"types\":" + toJsonArray(types) + ",\"after\":" + after + "}}");
            return client;
        }

        public void send(String text) {
            socket.sendText(text, true).orTimeout(30, TimeUnit.SECONDS).join();
        }

        public List<Change> changes() {
            return List.copyOf(changes);
        }

        /** Reads again after {@code stopAfter}: whatever waited in the connection comes now. */
        public void readOn() {
            stopAfter = Integer.MAX_VALUE;
            opened.request(1);
        }

        public List<JsonNode> messages() {
            return List.copyOf(messages);
        }

        public int closeCode() {
            return closeCode;
        }

        /** Drops the connection without a closing handshake, as a crashing client does. */
        @Override
        public void close() {
            closed = true;
            socket.abort();
        }

        private static String toJsonArray(List<String> values) {
            try {
                return JSON.writeValueAsString(values);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
