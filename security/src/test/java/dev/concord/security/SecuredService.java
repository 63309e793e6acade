package dev.concord.security;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/** A real Micronaut server with the security module and a read door, started with the given settings. */
final class SecuredService implements AutoCloseable {

    static final String READER_KEY = "reader-key";
    static final String DEV_KEY = "dev-key-for-tests";

    private final EmbeddedServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    SecuredService(Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>();
        all.put("micronaut.server.port", -1);
        all.put("micronaut.security.token.roles-name", "grants");
        all.put("micronaut.security.token.name-key", "sub");
        all.put("micronaut.security.token.jwt.claims-validators.not-before", true);
        all.put("micronaut.security.reject-not-found", false);
        all.put("endpoints.health.details-visible", "AUTHENTICATED");
        all.put("endpoints.health.sensitive", false);
        all.put("concord.security.read-paths", "/v1/things");
        all.put("concord.security.stream-tickets.enabled", true);
        all.put("concord.security.api-keys", "[{\"client\":\"reader\",\"sha256\":\"" + ApiKeys.sha256Hex(READER_KEY)
                + "\",\"grants\":[\"customer:read\"]}]");
        all.put("concord.security.dev-api-key", DEV_KEY);
        all.putAll(settings);
        this.server = ApplicationContext.run(EmbeddedServer.class, all);
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    HttpResponse<String> post(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
