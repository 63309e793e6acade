package dev.concord.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.types.EntityType;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Sends events as a client of producer-service's HTTP API would: {@code PUT} the entity, {@code PATCH} (merge patch)
 * its patched fields, {@code DELETE}; each with its event id as {@code Idempotency-Key}, retried with the same key
 * until it is accepted, through failures and a producer-service that restarts (its address supplied afresh each try).
 * The events of one entity keep their order (one worker per entity, chosen by hash); the clock and writer are
 * producer-service's, so the truth is read from the events topic afterwards, not from these events.
 */
public final class HttpLoad {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WORKERS = 8;
    private static final Duration GIVE_UP = Duration.ofMinutes(2);

    /** What the door answered: accepted (2xx, after any retries) and refused for good (another 4xx). */
    public record Outcome(int accepted, int refused, int retries) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Supplier<URI> base;
    private final String apiKey;
    private final EntityType type;
    private final PayloadCodec payloads;

    /** @param base producer-service's base URI ({@code http://host:port}), asked again for every try */
    public HttpLoad(Supplier<URI> base, String apiKey, EntityType type, PayloadCodec payloads) {
        this.base = base;
        this.apiKey = apiKey;
        this.type = type;
        this.payloads = payloads;
    }

    /**
     * @param events        in order
     * @param intendedAtMs  for each event, when (ms after the start) the schedule means to send it
     */
    public Outcome send(List<EntityEvent> events, List<Long> intendedAtMs) throws Exception {
        List<List<Integer>> perWorker = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            perWorker.add(new ArrayList<>());
        }
        for (int i = 0; i < events.size(); i++) {
            perWorker.get(Math.floorMod(events.get(i).getEntityId().hashCode(), WORKERS)).add(i);
        }
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (List<Integer> own : perWorker) {
                running.add(pool.submit(() -> {
                    for (int i : own) {
                        Pacing.waitUntil(start + TimeUnit.MILLISECONDS.toNanos(intendedAtMs.get(i)));
                        if (sendUntilAnswered(events.get(i), retries)) {
                            accepted.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : running) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Outcome(accepted.get(), refused.get(), retries.get());
    }

    /** @return true once accepted; false when refused for good (a 4xx other than 408 and 429) */
    private boolean sendUntilAnswered(EntityEvent event, AtomicInteger retries) throws Exception {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        long backoffMs = 100;
        while (true) {
            try {
                HttpResponse<String> response = http.send(request(event), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return true;
                }
                if (status / 100 == 4 && status != 408 && status != 429) {
                    return false;
                }
            } catch (IOException e) {
                // The door is away (killed, restarting): the same key again once it is back.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("producer-service did not accept " + event.getEventId() + " within " + GIVE_UP);
            }
            retries.incrementAndGet();
            TimeUnit.MILLISECONDS.sleep(backoffMs); // a client's back-off between tries
            backoffMs = Math.min(1_000, backoffMs * 2);
        }
    }

    private HttpRequest request(EntityEvent event) throws IOException {
        URI uri = URI.create(base.get() + "/v1/entities/" + type.name() + "/"
                + URLEncoder.encode(event.getEntityId(), StandardCharsets.UTF_8).replace("+", "%20"));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("X-Api-Key", apiKey)
                .header("Idempotency-Key", event.getEventId().toString());
        if (event.getOp() == Operation.DELETE) {
            return request.DELETE().build();
        }
        ObjectNode body = ClientBody.of(event, type, payloads);
        if (event.getOp() == Operation.PATCH) {
            return request.header("Content-Type", "application/merge-patch+json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        }
        return request.header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
    }
}
