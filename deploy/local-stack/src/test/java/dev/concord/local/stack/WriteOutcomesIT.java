package dev.concord.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a writer learns of its write, and reading it back (docs/consistency.md), across real processes: the local stack
 * (broker, sync-processor, producer-service, consumer-service) plus a second producer-service instance.
 */
class WriteOutcomesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static LocalStack stack;
    private static URI otherProducer;

    @BeforeAll
    static void startConcord() throws Exception {
        Path root = Path.of(System.getProperty("concord.home", "../..")).toAbsolutePath().normalize();
        Path runDir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "outcomes-run-").toAbsolutePath();
        stack = LocalStack.start(LocalStackConfig.onFreePorts(root, runDir));
        otherProducer = stack.startAnotherProducer("producer-2");
    }

    @AfterAll
    static void stopConcord() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldTellEachOfTwoRacingWritersTheTrueOutcomeOfItsWriteFromEitherInstance() throws Exception {
        String id = "race-" + UUID.randomUUID();
        long now = System.currentTimeMillis();
        // Concurrent in clock terms: Bob's write is older than Alice's but reaches the processor after it.
        HttpResponse<String> alice = write(stack.producerUrl(), "PUT", "customer", id, "{\"name\": \"Alice's\", \"email\": \"a@example.com\"}",
                "X-Concord-Clock", (now + 100) + ".0", "X-Concord-Writer", "alice", "Prefer", "wait=20");
        HttpResponse<String> bob = write(otherProducer, "PUT", "customer", id, "{\"name\": \"Bob's\", \"email\": \"b@example.com\"}",
                "X-Concord-Clock", (now + 50) + ".0", "X-Concord-Writer", "bob", "Prefer", "wait=20");

        assertThat(alice.statusCode()).as(alice.body()).isEqualTo(200);
        assertThat(bob.statusCode()).as(bob.body()).isEqualTo(200);
        JsonNode won = JSON.readTree(alice.body());
        JsonNode lost = JSON.readTree(bob.body());
        assertThat(won.path("outcome").asText()).isEqualTo("applied");
        assertThat(won.path("version").asLong()).isEqualTo(1);
        assertThat(lost.path("outcome").asText()).isEqualTo("superseded");
        assertThat(lost.path("winner").path("writer").asText()).isEqualTo("alice");
        assertThat(lost.path("winner").path("clock").path("physicalMillis").asLong()).isEqualTo(now + 100);
        assertThat(lost.path("rule").asText()).isEqualTo("field-merge");
        assertThat(lost.path("lostFields")).extracting(JsonNode::asText).contains("name", "email");
        // Either instance knows both outcomes (each reads the decisions on its own, so it may wait for the last one).
        assertThat(JSON.readTree(lookup(otherProducer, won.path("eventId").asText()).body())).isEqualTo(won);
        assertThat(JSON.readTree(lookup(stack.producerUrl(), lost.path("eventId").asText()).body())).isEqualTo(lost);
        // And a read with the loser's token shows the winner's data: what the entity holds after Bob's write was decided.
        JsonNode read = JSON.readTree(get(stack.consumerUrl().resolve("/v1/entities/customer/" + id), lost.path("consistencyToken").asText()).body());
        assertThat(read.path("data").path("name").asText()).isEqualTo("Alice's");
    }

    @Test
    void shouldAnswer409WithTheCurrentVersionToAStaleIfMatchThatWaits() throws Exception {
        String id = "o-" + UUID.randomUUID();
        String order = "{\"customerId\": \"c-1\", \"status\": \"PAID\", \"currency\": \"EUR\", \"totalCents\": 1}";
        HttpResponse<String> created = write(stack.producerUrl(), "PUT", "order", id, order, "If-Match", "\"0\"", "Prefer", "wait=20");
        HttpResponse<String> stale = write(otherProducer, "PUT", "order", id, order, "If-Match", "\"0\"", "Prefer", "wait=20");

        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(stale.statusCode()).as(stale.body()).isEqualTo(409);
        assertThat(stale.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(stale.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(JSON.readTree(stale.body()).path("errors").get(0).path("field").asText()).isEqualTo("If-Match");
    }

    @Test
    void shouldReadEveryWriteBackWithItsTokenAcrossAThousandWritesThenReads() throws Exception {
        int clients = 8;
        int each = 125;
        List<CompletableFuture<List<String>>> runs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            String id = "ryw-" + c + "-" + UUID.randomUUID();
            runs.add(CompletableFuture.supplyAsync(() -> writeThenRead(id, each)));
        }
        List<String> stale = new ArrayList<>();
        for (CompletableFuture<List<String>> run : runs) {
            stale.addAll(run.get());
        }
        assertThat(stale).as("reads that did not show the write just made").isEmpty();
    }

    /** {@code times} writes of one entity, each read back at once with its token; returns what did not match. */
    private static List<String> writeThenRead(String id, int times) {
        List<String> mismatches = new ArrayList<>();
        try {
            for (int i = 0; i < times; i++) {
                String name = "name " + i;
                HttpResponse<String> written = write(i % 2 == 0 ? stack.producerUrl() : otherProducer, "PUT", "customer", id,
                        "{\"name\": \"" + name + "\", \"email\": \"r@example.com\"}");
                String token = JSON.readTree(written.body()).path("consistencyToken").asText();
                HttpResponse<String> read = get(stack.consumerUrl().resolve("/v1/entities/customer/" + id), token);
                String seen = read.statusCode() == 200 ? JSON.readTree(read.body()).path("data").path("name").asText() : read.body();
                if (!name.equals(seen)) {
                    mismatches.add(id + " #" + i + ": " + read.statusCode() + " " + seen);
                }
            }
        } catch (Exception e) {
            mismatches.add(id + ": " + e);
        }
        return mismatches;
    }

    private static HttpResponse<String> write(URI producer, String method, String type, String id, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(producer.resolve("/v1/entities/" + type + "/" + id))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json").header("X-Api-Key", stack.devApiKey())
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> lookup(URI producer, String eventId) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(producer.resolve("/v1/writes/" + eventId)).timeout(Duration.ofSeconds(60))
                .header("X-Api-Key", stack.devApiKey()).header("Prefer", "wait=20").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(URI uri, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("X-Api-Key", stack.devApiKey());
        if (token != null) {
            request.header("X-Concord-After", token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
