package dev.concord.producer;

import dev.concord.contract.ConcordContract;
import dev.concord.security.ApiKeys;
import dev.concord.testsupport.KafkaBrokerExtension;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * producer-service running in this JVM on a random port against a given Kafka, with a plain JDK HTTP
 * client, so tests see exactly the bytes, status and headers a real client sees.
 *
 * <p>Security is on, as in production, with these API keys (configured as SHA-256 digests):
 * {@link #KEY_ALL} (client {@code tester}, {@code *:*}) — sent by default —, {@link #KEY_CUSTOMER_WRITER}
 * ({@code customer:write}), {@link #KEY_TRUSTED} ({@code *:*} and {@code trusted-writer}); and the
 * development key {@link #KEY_DEV}.
 */
final class RunningProducerService implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    static final String KEY_ALL = "test-key-all-" + UUID.randomUUID();
    static final String KEY_CUSTOMER_WRITER = "test-key-customer-" + UUID.randomUUID();
    static final String KEY_TRUSTED = "test-key-trusted-" + UUID.randomUUID();
    static final String KEY_DEV = "test-key-dev-" + UUID.randomUUID();
    static final String JWT_SECRET = "a-test-secret-of-at-least-32-bytes-" + UUID.randomUUID();

    /** An HS256 token signed with {@link #JWT_SECRET}, as the service is configured to accept. */
    static String jwt(String subject, java.util.List<String> grants, java.time.Instant expires) {
        try {
            com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                    new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
                    new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(subject).claim("grants", grants).audience("concord")
                            .issueTime(new java.util.Date()).expirationTime(java.util.Date.from(expires)).build());
            jwt.sign(new com.nimbusds.jose.crypto.MACSigner(JWT_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    // Set when started: at once by start(...), or before the test class by the extension (perTestClass()).
    private EmbeddedServer server;
    private String writerId;
    private org.apache.kafka.clients.admin.Admin admin;

    private RunningProducerService(EmbeddedServer server, String writerId) {
        this.server = server;
        this.writerId = writerId;
    }

    /**
     * One service for a whole test class: {@code @RegisterExtension static final RunningProducerService service =
     * RunningProducerService.perTestClass();} starts it before the class (after the class's KafkaBrokerExtension)
     * and stops it after.
     */
    static RunningProducerService perTestClass() {
        return new RunningProducerService(null, null);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        RunningProducerService started = start(KafkaBrokerExtension.bootstrapServers());
        server = started.server;
        writerId = started.writerId;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    static RunningProducerService start(String bootstrapServers) {
        return start(bootstrapServers, Map.of());
    }

    static RunningProducerService start(String bootstrapServers, Map<String, Object> overrides) {
        String writerId = "test-writer-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> properties = new HashMap<>();
        properties.put("micronaut.server.port", -1);
        properties.put("concord.kafka.bootstrap.servers", bootstrapServers);
        properties.put("concord.writer-id", writerId);
        properties.put("concord.data-dir", tempDir().toString());
        properties.put("concord.security.api-keys", """
                [{"client": "tester", "sha256": "%s", "grants": ["*:*"]},
                 {"client": "customer-writer", "sha256": "%s", "grants": ["customer:write"]},
                 {"client": "trusted", "sha256": "%s", "grants": ["*:*", "trusted-writer"]}]"""
                .formatted(ApiKeys.sha256Hex(KEY_ALL), ApiKeys.sha256Hex(KEY_CUSTOMER_WRITER), ApiKeys.sha256Hex(KEY_TRUSTED)));
        properties.put("concord.security.dev-api-key", KEY_DEV);
        properties.put("concord.jwt.secret", JWT_SECRET);
        properties.putAll(overrides);
        EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, properties);
        return new RunningProducerService(server, writerId);
    }

    /** Sends a request; adds {@code X-Api-Key: KEY_ALL} unless the headers carry credentials or {@code anonymous} is set. */
    HttpResponse<String> send(String method, String path, String contentType, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        boolean anonymous = Arrays.asList(headers).contains(ANONYMOUS[0]);
        boolean credentials = false;
        for (int i = 0; i + 1 < headers.length; i += 2) {
            if (headers[i].equals(ANONYMOUS[0])) {
                continue;
            }
            credentials |= headers[i].equalsIgnoreCase("X-Api-Key") || headers[i].equalsIgnoreCase("Authorization");
            request.header(headers[i], headers[i + 1]);
        }
        if (!credentials && !anonymous) {
            request.header("X-Api-Key", KEY_ALL);
        }
        return send(request.build());
    }

    /** Pass as headers to send no credentials at all. */
    static final String[] ANONYMOUS = {"X-Test-Anonymous", "true"};

    HttpResponse<String> put(String path, String contentType, String body, String... headers) {
        return send("PUT", path, contentType, body, headers);
    }

    HttpResponse<String> putJson(String path, String body, String... headers) {
        return put(path, "application/json", body, headers);
    }

    HttpResponse<String> patch(String path, String body, String... headers) {
        return send("PATCH", path, "application/merge-patch+json", body, headers);
    }

    HttpResponse<String> delete(String path, String... headers) {
        return send("DELETE", path, null, null, headers);
    }

    HttpResponse<String> postJson(String path, String body, String... headers) {
        return send("POST", path, "application/json", body, headers);
    }

    HttpResponse<String> get(String path, String... headers) {
        return send("GET", path, null, null, headers);
    }

    ConcordContract contract() {
        return server.getApplicationContext().getBean(ConcordContract.class);
    }

    int port() {
        return server.getPort();
    }

    <T> T bean(Class<T> type) {
        return server.getApplicationContext().getBean(type);
    }

    String writerId() {
        return writerId;
    }

    private URI uri(String path) {
        return URI.create(server.getURL() + path);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("concord-producer-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An admin client on the service's broker (e.g. for {@link EventTopicsEnd}), closed with the service. */
    synchronized org.apache.kafka.clients.admin.Admin admin() {
        if (admin == null) {
            admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()));
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
        server.getApplicationContext().close();
    }
}
