package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.bench.load.KeepAliveHttp;
import dev.concord.bench.load.Pacing;
import dev.concord.bench.report.Measurement;
import dev.concord.bench.report.Results;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Recorder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The publish API under closed-loop load (C clients, each sending its next request when the last
 * is answered): requests/s and latency, beside C threads publishing the same events straight to
 * Kafka with the same guarantees (idempotent, acks=all, waiting for each acknowledgement).
 */
public final class PublishApi {

    private final BenchEnvironment env;

    public PublishApi(BenchEnvironment env) {
        this.env = env;
    }

    /**
     * @param rate the fixed rate of the open-loop latency run (the target: p99 at 2,000 requests/s)
     */
    public void run(Results results, int clients, Duration duration, int rate) throws Exception {
        EntityType type = env.newType("publish", MergePolicy.FIELD_MERGE, 6);
        try (ConcordContract contract = env.contract(type)) {
            String recording = "producer-" + type.name();
            try (ProducerProcess producer = new ProducerProcess(env, type, recording)) {
                URI base = producer.entity("");
                Duration warmUp = duration.compareTo(WARM_UP) < 0 ? duration : WARM_UP;
                closedLoop(clients, warmUp, () -> httpPut(base));
                Run api = closedLoop(clients, duration, () -> httpPut(base));
                Run raw = rawKafka(contract, type, clients, duration);
                String shape = clients + " concurrent clients for " + duration.toSeconds() + " s, ~150 B entities";
                results.add(new Measurement("publish API", "requests/s", api.perSecond(), "raw Kafka producer, same guarantees",
                        raw.perSecond(), true, shape));
                results.add(new Measurement("publish API p50", "ms", api.p50Millis(), "raw Kafka producer p50", raw.p50Millis(), false, shape));
                results.add(new Measurement("publish API p99", "ms", api.p99Millis(), "raw Kafka producer p99", raw.p99Millis(), false, shape));
                // Latency at a fixed rate below saturation, from each request's intended send time (open loop:
                // a stall delays every request due during it, and is counted for all of them).
                openLoop(rate, warmUp, () -> httpPut(base));
                Run apiAtRate = openLoop(rate, duration, () -> httpPut(base));
                Run rawAtRate = rawKafkaOpenLoop(contract, type, rate, warmUp, duration);
                String paced = rate + " requests/s for " + duration.toSeconds() + " s, open loop, from the intended send time";
                results.add(new Measurement("publish API p50 at " + rate + "/s", "ms", apiAtRate.p50Millis(),
                        "raw Kafka producer p50 at " + rate + "/s", rawAtRate.p50Millis(), false, paced));
                results.add(new Measurement("publish API p99 at " + rate + "/s", "ms", apiAtRate.p99Millis(),
                        "raw Kafka producer p99 at " + rate + "/s", rawAtRate.p99Millis(), false, paced));
            }
            if (env.profileDirectory().isPresent()) {
                results.addProfile("producer-service under publish load",
                        dev.concord.bench.report.Profiler.summarize(env.profileDirectory().get().resolve(recording + ".jfr")));
            }
        }
    }

    /**
     * Unrecorded load before each recorded run (as long as the run, at most this): the door's JVM is new, and Micronaut's
     * and Netty's code paths were still being compiled when a 3 s warm-up ended (the C2 compiler took most of a core on
     * two shared cores).
     */
    private static final Duration WARM_UP = Duration.ofSeconds(10);

    /** One client of the door on its own kept-alive connection: PUT the next customer, expect 202. */
    private static Call httpPut(URI base) {
        KeepAliveHttp connection = new KeepAliveHttp(base);
        String path = base.getRawPath();
        return new Call() {
            @Override
            public void call(long i) throws Exception {
                byte[] head = connection.head("PUT", path + "c-" + i, "Content-Type: application/json",
                        "X-Api-Key: " + BenchEnvironment.DEV_KEY);
                byte[] body = ("{\"name\":\"Customer " + i + "\",\"email\":\"c" + i + "@example.com\",\"phone\":\"+1-555-" + i
                        + "\",\"tier\":\"GOLD\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                int status = connection.exchange(head, body);
                if (status != 202) {
                    throw new IllegalStateException("publish API answered " + status);
                }
            }

            @Override
            public void close() {
                connection.close();
            }
        };
    }

    private Run rawKafka(ConcordContract contract, EntityType type, int clients, Duration duration) throws Exception {
        try (KafkaProducer<String, EntityEvent> producer = rawProducer(contract)) {
            return closedLoop(clients, duration, () -> i -> producer.send(rawRecord(contract, type, i)).get());
        }
    }

    private Run rawKafkaOpenLoop(ConcordContract contract, EntityType type, int rate, Duration warmUp, Duration duration)
            throws Exception {
        try (KafkaProducer<String, EntityEvent> producer = rawProducer(contract)) {
            asyncOpenLoop(rate, warmUp, i -> rawSendAsync(producer, contract, type, -i));
            return asyncOpenLoop(rate, duration, i -> rawSendAsync(producer, contract, type, i));
        }
    }

    private static CompletableFuture<?> rawSendAsync(KafkaProducer<String, EntityEvent> producer, ConcordContract contract,
                                                     EntityType type, long i) {
        CompletableFuture<Object> acknowledged = new CompletableFuture<>();
        producer.send(rawRecord(contract, type, i), (metadata, error) -> {
            if (error != null) {
                acknowledged.completeExceptionally(error);
            } else {
                acknowledged.complete(metadata);
            }
        });
        return acknowledged;
    }

    /** What producer-service's own producer promises: idempotent, acks=all, a few milliseconds of linger. */
    private KafkaProducer<String, EntityEvent> rawProducer(ConcordContract contract) {
        Map<String, Object> config = new HashMap<>(env.kafkaConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new StringSerializer(), contract.topics().eventSerde().serializer());
    }

    /** The same event the API would publish for request {@code i}, built by the caller as a Java client of Concord would. */
    private static ProducerRecord<String, EntityEvent> rawRecord(ConcordContract contract, EntityType type, long i) {
        GenericRecord customer = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(), Customer.newBuilder()
                .setName("Customer " + i).setEmail("c" + i + "@example.com").setPhone("+1-555-" + i).build());
        EntityEvent event = EntityEvents.upsert(UUID.randomUUID(), type.name(), "c-" + i, contract.payloads().encode(customer),
                new HlcTimestamp(System.currentTimeMillis(), 0), "raw", EntityEvents.source("bench"));
        return new ProducerRecord<>(contract.topics().events(type).name(), event.getEntityId(), event);
    }

    private static final int MAX_IN_FLIGHT = 256;

    interface AsyncCall {
        CompletableFuture<?> call(long i);
    }

    /**
     * {@code rate} asynchronous calls per second (the raw producer's sends), each started at its intended time whatever
     * became of the earlier ones — up to {@link #MAX_IN_FLIGHT} at once: past that a call waits for one to end, and its
     * latency still counts from its intended time.
     */
    private static Run asyncOpenLoop(int rate, Duration duration, AsyncCall call) throws Exception {
        Recorder latency = new Recorder(3);
        long count = rate * duration.toSeconds();
        long periodNanos = 1_000_000_000L / rate;
        List<CompletableFuture<?>> calls = new ArrayList<>();
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(MAX_IN_FLIGHT);
        long start = System.nanoTime();
        for (long i = 0; i < count; i++) {
            long intended = start + i * periodNanos;
            Pacing.waitUntil(intended);
            inFlight.acquire();
            calls.add(call.call(i).whenComplete((done, error) -> {
                inFlight.release();
                latency.recordValue(Math.max(0, System.nanoTime() - intended) / 1000);
            }));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(2, java.util.concurrent.TimeUnit.MINUTES);
        return new Run(count, Duration.ofNanos(System.nanoTime() - start), latency.getIntervalHistogram());
    }

    /** A client that makes one call at a time; each worker of a loop has its own (its own connection). */
    interface Call extends AutoCloseable {
        void call(long i) throws Exception;

        @Override
        default void close() {
        }
    }

    record Run(long requests, Duration duration, org.HdrHistogram.Histogram latencyMicros) {
        double perSecond() {
            return requests / (duration.toNanos() / 1e9);
        }

        double p50Millis() {
            return latencyMicros.getValueAtPercentile(50) / 1000.0;
        }

        double p99Millis() {
            return latencyMicros.getValueAtPercentile(99) / 1000.0;
        }
    }

    private static Run closedLoop(int clients, Duration duration, Supplier<Call> newClient) throws Exception {
        Recorder latency = new Recorder(3);
        AtomicLong sequence = new AtomicLong();
        long deadline = System.nanoTime() + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            List<Future<?>> workers = startWorkers(pool, clients, newClient, client -> {
                while (System.nanoTime() < deadline) {
                    long before = System.nanoTime();
                    client.call(sequence.incrementAndGet());
                    latency.recordValue((System.nanoTime() - before) / 1000);
                }
            });
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Run(sequence.get(), Duration.ofNanos(System.nanoTime() - start), latency.getIntervalHistogram());
    }

    /** Workers of the open loop over HTTP: enough that a door answering in a few milliseconds never makes a call queue. */
    private static final int OPEN_LOOP_CLIENTS = 64;

    /**
     * {@code rate} calls per second over {@link #OPEN_LOOP_CLIENTS} clients, each call due at its intended time whatever
     * became of the earlier ones: a call finds a free client or waits for one, and its latency counts from its intended
     * time either way (no coordinated omission).
     */
    private static Run openLoop(int rate, Duration duration, Supplier<Call> newClient) throws Exception {
        Recorder latency = new Recorder(3);
        long count = rate * duration.toSeconds();
        long periodNanos = 1_000_000_000L / rate;
        java.util.concurrent.BlockingQueue<Long> due = new java.util.concurrent.LinkedBlockingQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(OPEN_LOOP_CLIENTS);
        long start = System.nanoTime();
        try {
            List<Future<?>> workers = startWorkers(pool, OPEN_LOOP_CLIENTS, newClient, client -> {
                for (long i = due.take(); i >= 0; i = due.take()) {
                    client.call(i);
                    latency.recordValue(Math.max(0, System.nanoTime() - (start + i * periodNanos)) / 1000);
                }
            });
            for (long i = 0; i < count; i++) {
                Pacing.waitUntil(start + i * periodNanos);
                due.add(i);
            }
            for (int c = 0; c < OPEN_LOOP_CLIENTS; c++) {
                due.add(-1L); // one end mark per worker
            }
            for (Future<?> worker : workers) {
                worker.get(2, java.util.concurrent.TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        return new Run(count, Duration.ofNanos(System.nanoTime() - start), latency.getIntervalHistogram());
    }

    /** What each worker of a loop does with its own client. */
    private interface Worker {
        void run(Call client) throws Exception;
    }

    /** {@code count} workers on {@code pool}, each with a client of its own (closed when the worker ends). */
    private static List<Future<?>> startWorkers(ExecutorService pool, int count, Supplier<Call> newClient, Worker worker) {
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            workers.add(pool.submit(() -> {
                try (Call client = newClient.get()) {
                    worker.run(client);
                }
                return null;
            }));
        }
        return workers;
    }
}
