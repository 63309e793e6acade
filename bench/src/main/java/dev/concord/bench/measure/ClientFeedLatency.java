package dev.concord.bench.measure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.bench.BenchEnvironment;
import dev.concord.bench.report.Measurement;
import dev.concord.bench.report.Results;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Latency as a client of Concord sees it: a write through the HTTP API (producer-service, a process)
 * until a client subscribed to the replica's SSE feed (consumer-service, a process) receives the change,
 * through the processor under exactly_once_v2. Open loop at a fixed rate, measured from each write's
 * <em>intended</em> send time, so a stall delays every later write's figure instead of hiding. Baseline,
 * same run, same writes: the HTTP API's own acknowledgement (202 after Kafka acknowledged the event).
 */
public final class ClientFeedLatency {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final BenchEnvironment env;

    public ClientFeedLatency(BenchEnvironment env) {
        this.env = env;
    }

    public void run(Results results, List<Integer> rates, Duration each) throws Exception {
        EntityType type = env.newType("client", MergePolicy.FIELD_MERGE, 6);
        try (ConcordContract contract = env.contract(type);
             ProcessorInstance processor = new ProcessorInstance(env, contract, "exactly_once_v2");
             ReplicaProcess replica = new ReplicaProcess(env, type, "client_" + type.name().replace('-', '_'));
             ProducerProcess producer = new ProducerProcess(env, type, "producer-client-" + type.name())) {
            replica.awaitHealthy();
            Map<String, Long> receivedAt = new ConcurrentHashMap<>();
            CountDownLatch subscribed = new CountDownLatch(1);
            CompletableFuture<HttpResponse<Stream<String>>> feed = HTTP.sendAsync(
                    HttpRequest.newBuilder(replica.uri("/v1/changes/stream?types=" + type.name()))
                            .header("Accept", "text/event-stream").header("X-Api-Key", BenchEnvironment.DEV_KEY).GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            CompletableFuture<Void> reading = feed.thenAcceptAsync(response -> {
                subscribed.countDown();
                response.body().forEach(line -> recordChange(line, receivedAt));
            });
            warmUp(producer, receivedAt);
            if (!subscribed.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the SSE feed did not open");
            }
            for (int rate : rates) {
                measure(results, producer, receivedAt, rate, each);
            }
            reading.cancel(true);
            feed.cancel(true);
        }
    }

    /** A few writes first, so JIT compilation, connections and the processor's first commit are not measured. */
    private void warmUp(ProducerProcess producer, Map<String, Long> receivedAt) throws Exception {
        for (int i = 0; i < 50; i++) {
            put(producer, "warm-" + i).get(30, TimeUnit.SECONDS);
        }
        Waiting.until("warm-up writes on the feed", Duration.ofSeconds(60),
                () -> receivedAt.keySet().stream().filter(id -> id.startsWith("warm-")).count() == 50);
    }

    private void measure(Results results, ProducerProcess producer, Map<String, Long> receivedAt, int rate, Duration each)
            throws Exception {
        int count = (int) (rate * each.toSeconds());
        String prefix = "r" + rate + "-";
        Map<String, Long> intendedAt = new ConcurrentHashMap<>();
        Histogram acknowledged = new Histogram(3_600_000L, 3);
        AtomicInteger refused = new AtomicInteger();
        long periodNanos = 1_000_000_000L / rate;
        long startNanos = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        CompletableFuture<?>[] sent = new CompletableFuture<?>[count];
        for (int i = 0; i < count; i++) {
            long dueNanos = startNanos + i * periodNanos;
            for (long wait = dueNanos - System.nanoTime(); wait > 0; wait = dueNanos - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            String id = prefix + i;
            long intended = startMillis + (dueNanos - startNanos) / 1_000_000;
            intendedAt.put(id, intended);
            sent[i] = put(producer, id).whenComplete((status, failure) -> {
                if (failure != null || status != 202) {
                    refused.incrementAndGet();
                } else {
                    synchronized (acknowledged) {
                        acknowledged.recordValue(Math.max(0, System.currentTimeMillis() - intended));
                    }
                }
            });
        }
        CompletableFuture.allOf(sent).get(2, TimeUnit.MINUTES);
        if (refused.get() > 0) {
            throw new IllegalStateException(refused.get() + " writes were not accepted at " + rate + "/s");
        }
        Waiting.until(count + " writes on the SSE feed at " + rate + "/s", Duration.ofMinutes(2),
                () -> intendedAt.keySet().stream().allMatch(receivedAt::containsKey));
        Histogram onFeed = new Histogram(3_600_000L, 3);
        intendedAt.forEach((id, intended) -> onFeed.recordValue(Math.max(0, receivedAt.get(id) - intended)));
        String shape = rate + " writes/s for " + each.toSeconds() + " s through the HTTP API to an SSE client of a replica, "
                + "exactly_once_v2, 6 partitions, open loop from intended send times";
        for (double percentile : new double[] {50, 90, 99}) {
            results.add(new Measurement("client write→feed p" + (int) percentile + " at " + rate + "/s", "ms",
                    onFeed.getValueAtPercentile(percentile), "HTTP 202 acknowledgement p" + (int) percentile,
                    acknowledged.getValueAtPercentile(percentile), false, shape));
        }
    }

    private static CompletableFuture<Integer> put(ProducerProcess producer, String id) {
        HttpRequest request = HttpRequest.newBuilder(producer.entity(id))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", BenchEnvironment.DEV_KEY)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"Customer " + id + "\",\"email\":\"" + id + "@example.com\"}"))
                .build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
    }

    /** SSE {@code data:} lines carry one change each; the first sighting of an id is when the client learnt of it. */
    private static void recordChange(String line, Map<String, Long> receivedAt) {
        if (!line.startsWith("data:")) {
            return;
        }
        long now = System.currentTimeMillis();
        try {
            JsonNode change = JSON.readTree(line.substring(5).trim());
            String id = change.path("id").asText(null);
            if (id != null) {
                receivedAt.putIfAbsent(id, now);
            }
        } catch (Exception e) {
            // Not a change (e.g. a resync notice); the wait for every id reports what is missing.
        }
    }
}
