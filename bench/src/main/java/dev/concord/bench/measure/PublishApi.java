package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
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

    public void run(Results results, int clients, Duration duration) throws Exception {
        EntityType type = env.newType("publish", MergePolicy.FIELD_MERGE, 6);
        try (ConcordContract contract = env.contract(type)) {
            String recording = "producer-" + type.name();
            try (ProducerProcess producer = new ProducerProcess(env, type, recording)) {
                URI base = producer.entity("");
                closedLoop(clients, Duration.ofSeconds(3), i -> put(base, i));  // warm-up
                Run api = closedLoop(clients, duration, i -> put(base, i));
                Run raw = rawKafka(contract, type, clients, duration);
                String shape = clients + " concurrent clients for " + duration.toSeconds() + " s, ~150 B entities";
                results.add(new Measurement("publish API", "requests/s", api.perSecond(), "raw Kafka producer, same guarantees",
                        raw.perSecond(), true, shape));
                results.add(new Measurement("publish API p50", "ms", api.p50Millis(), "raw Kafka producer p50", raw.p50Millis(), false, shape));
                results.add(new Measurement("publish API p99", "ms", api.p99Millis(), "raw Kafka producer p99", raw.p99Millis(), false, shape));
            }
            if (env.profileDirectory().isPresent()) {
                results.addProfile("producer-service under publish load",
                        dev.concord.bench.report.Profiler.summarize(env.profileDirectory().get().resolve(recording + ".jfr")));
            }
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static boolean put(URI base, long i) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("c-" + i))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", BenchEnvironment.DEV_KEY)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"Customer " + i + "\",\"email\":\"c" + i
                        + "@example.com\",\"phone\":\"+1-555-" + i + "\",\"tier\":\"GOLD\"}"))
                .build();
        int status = HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != 202) {
            throw new IllegalStateException("publish API answered " + status);
        }
        return true;
    }

    private Run rawKafka(ConcordContract contract, EntityType type, int clients, Duration duration) throws Exception {
        Map<String, Object> config = new HashMap<>(env.kafkaConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, EntityEvent> producer =
                     new KafkaProducer<>(config, new StringSerializer(), contract.topics().eventSerde().serializer())) {
            String topic = contract.topics().events(type).name();
            return closedLoop(clients, duration, i -> {
                GenericRecord customer = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(), Customer.newBuilder()
                        .setName("Customer " + i).setEmail("c" + i + "@example.com").setPhone("+1-555-" + i).build());
                EntityEvent event = EntityEvents.upsert(UUID.randomUUID(), type.name(), "c-" + i, contract.payloads().encode(customer),
                        new HlcTimestamp(System.currentTimeMillis(), 0), "raw", EntityEvents.source("bench"));
                producer.send(new ProducerRecord<>(topic, event.getEntityId(), event)).get();
                return true;
            });
        }
    }

    interface Call {
        boolean call(long i) throws Exception;
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

    private static Run closedLoop(int clients, Duration duration, Call call) throws Exception {
        Recorder latency = new Recorder(3);
        AtomicLong sequence = new AtomicLong();
        long deadline = System.nanoTime() + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        long before = System.nanoTime();
                        call.call(sequence.incrementAndGet());
                        latency.recordValue((System.nanoTime() - before) / 1000);
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Run(sequence.get(), Duration.ofNanos(System.nanoTime() - start), latency.getIntervalHistogram());
    }
}
