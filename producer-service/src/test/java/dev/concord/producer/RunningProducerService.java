package dev.concord.producer;

import dev.concord.contract.ConcordContract;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * producer-service running in this JVM on a random port against a given Kafka, with a plain JDK HTTP
 * client, so tests see exactly the bytes, status and headers a real client sees.
 */
final class RunningProducerService implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final EmbeddedServer server;
    private final String writerId;

    private RunningProducerService(EmbeddedServer server, String writerId) {
        this.server = server;
        this.writerId = writerId;
    }

    static RunningProducerService start(String bootstrapServers) {
        String writerId = "test-writer-" + UUID.randomUUID().toString().substring(0, 8);
        EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "concord.kafka.bootstrap.servers", bootstrapServers,
                "concord.writer-id", writerId));
        return new RunningProducerService(server, writerId);
    }

    HttpResponse<String> put(String path, String contentType, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    HttpResponse<String> putJson(String path, String body, String... headers) {
        return put(path, "application/json", body, headers);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    ConcordContract contract() {
        return server.getApplicationContext().getBean(ConcordContract.class);
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

    @Override
    public void close() {
        server.getApplicationContext().close();
    }
}
