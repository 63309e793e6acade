package dev.concord.consumer;

import dev.concord.replica.testing.TestTypes;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/** The consumer-service started in this JVM on a random port, with the given store and group. */
public final class RunningReplica implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Sent by {@link #get} and the feed clients unless a test says otherwise: may read and administer every type. */
    public static final String KEY = "test-reader-" + java.util.UUID.randomUUID();
    public static final String KEY_HEADER = "X-Api-Key";

    private final EmbeddedServer server;

    private RunningReplica(EmbeddedServer server) {
        this.server = server;
    }

    public static RunningReplica start(String bootstrapServers, String jdbcUrl, String groupId) {
        return start(bootstrapServers, jdbcUrl, groupId, Map.of());
    }

    /** @param extra further configuration, e.g. {@code concord.store.connection-timeout} */
    public static RunningReplica start(String bootstrapServers, String jdbcUrl, String groupId, Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>(extra);
        properties.put("micronaut.server.port", -1);
        properties.put("concord.kafka.bootstrap.servers", bootstrapServers);
        properties.put("concord.store.jdbc-url", jdbcUrl);
        properties.put("concord.replica.group-id", groupId);
        properties.putIfAbsent("concord.security.api-keys", "[{\"client\":\"test-reader\",\"sha256\":\""
                + dev.concord.security.ApiKeys.sha256Hex(KEY) + "\",\"grants\":[\"*:read\",\"*:admin\"]}]");
        return new RunningReplica(ApplicationContext.run(EmbeddedServer.class, properties));
    }

    /** A replica of exactly the test's own types. */
    public static RunningReplica start(String bootstrapServers, String jdbcUrl, String groupId, TestTypes types,
                                       Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>(extra);
        properties.put("concord.types", types.location());
        properties.put("concord.replica.types", String.join(",", types.names()));
        return start(bootstrapServers, jdbcUrl, groupId, properties);
    }

    public URL url() {
        return server.getURL();
    }

    public URI uri(String path) {
        return URI.create(server.getURL() + path);
    }

    /** {@code ws://host:port<path>} */
    public URI webSocketUri(String path) {
        return URI.create("ws://" + server.getHost() + ":" + server.getPort() + path);
    }

    public ApplicationContext context() {
        return server.getApplicationContext();
    }

    /** GET with the test key. */
    public HttpResponse<String> get(String path) {
        return get(path, Map.of(KEY_HEADER, KEY));
    }

    /** GET with exactly these headers (no key unless they carry one). */
    public HttpResponse<String> get(String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.getApplicationContext().close();
    }
}
