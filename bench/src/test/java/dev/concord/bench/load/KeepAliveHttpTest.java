package dev.concord.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The publish benchmark's load generator against the JDK's own HTTP server: every answer read whole, connections kept. */
class KeepAliveHttpTest {

    private HttpServer server;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/fixed", exchange -> answer(exchange, 202, "{\"accepted\":true}", false));
        server.createContext("/chunked", exchange -> answer(exchange, 200, "{\"line\": 1}\r\n".repeat(1_000), true));
        server.createContext("/closing", exchange -> {
            exchange.getResponseHeaders().set("Connection", "close");
            answer(exchange, 202, "{}", false);
        });
        server.createContext("/refused", exchange -> answer(exchange, 400, "{\"title\":\"bad\"}", false));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange, int status, String body, boolean chunked) throws IOException {
        paths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
        bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, chunked ? 0 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @Test
    void sendsTheRequestAndReadsEachAnswerWholeOnOneConnection() throws IOException {
        try (KeepAliveHttp http = new KeepAliveHttp(base())) {
            byte[] body = "{\"name\":\"Customer 1\"}".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 3; i++) {
                assertThat(http.exchange(http.head("PUT", "/fixed/c-" + i, "Content-Type: application/json"), body)).isEqualTo(202);
                // A chunked answer in between must be consumed whole, or the next status line would be read from its body.
                assertThat(http.exchange(http.head("PUT", "/chunked/c-" + i), new byte[0])).isEqualTo(200);
            }
            assertThat(http.exchange(http.head("PUT", "/refused/c-9"), body)).isEqualTo(400);
        }
        assertThat(paths).startsWith("PUT /fixed/c-0", "PUT /chunked/c-0", "PUT /fixed/c-1").endsWith("PUT /refused/c-9");
        assertThat(bodies.get(0)).isEqualTo("{\"name\":\"Customer 1\"}");
        assertThat(paths).hasSize(7);
    }

    @Test
    void anAnswerThatClosesTheConnectionIsReadAndTheNextExchangeReconnects() throws IOException {
        try (KeepAliveHttp http = new KeepAliveHttp(base())) {
            assertThat(http.exchange(http.head("PUT", "/closing/a"), new byte[0])).isEqualTo(202);
            assertThat(http.exchange(http.head("PUT", "/fixed/b"), new byte[0])).isEqualTo(202);
        }
        assertThat(paths).containsExactly("PUT /closing/a", "PUT /fixed/b");
    }
}
