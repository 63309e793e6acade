package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.contract.types.EntityType;
import dev.concord.local.stack.ConcordModule;
import dev.concord.local.stack.HealthProbe;
import dev.concord.local.stack.ManagedProcess;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** producer-service as its own process, as {@code ./concord up} runs it, for one type, without a rate limit. */
final class ProducerProcess implements AutoCloseable {

    private final BenchEnvironment env;
    private final Map<String, String> settings;
    private final String recording;
    private final int port;
    private final EntityType type;
    private ManagedProcess process;
    private int incarnation;

    ProducerProcess(BenchEnvironment env, EntityType type, String recording) {
        this(env, type, recording, Map.of());
    }

    /** @param settings further environment, e.g. {@code CONCORD_OUTBOX_JDBC_URL} to relay an outbox */
    ProducerProcess(BenchEnvironment env, EntityType type, String recording, Map<String, String> settings) {
        this.settings = Map.copyOf(settings);
        this.env = env;
        this.recording = recording;
        this.type = type;
        this.port = BenchEnvironment.freePort();
        launch();
    }

    private void launch() {
        incarnation++;
        process = ConcordModule.PRODUCER.launch(env.repositoryRoot(),
                env.childJavaOptions("-Xmx512m -XX:+UseParallelGC", recording + (incarnation > 1 ? "-" + incarnation : "")), environment(Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", env.bootstrapServers(),
                        "PORT", String.valueOf(port),
                        "CONCORD_TYPES", env.declarationFor(type).toString(),
                        "CONCORD_DEV_API_KEY", BenchEnvironment.DEV_KEY,
                        // Measure the API, not its per-client rate limit.
                        "CONCORD_RATE_LIMIT_PER_SECOND", "1000000",
                        "CONCORD_RATE_LIMIT_BURST", "1000000",
                        "CONCORD_WRITER_ID", "bench-producer")),
                env.workDir().resolve("logs").resolve("producer-" + type.name() + "-" + incarnation + ".log"), line -> false);
        HealthProbe.await(process, URI.create("http://localhost:" + port + "/health"), Duration.ofMinutes(2));
    }

    private Map<String, String> environment(Map<String, String> base) {
        Map<String, String> environment = new java.util.HashMap<>(base);
        environment.putAll(settings);
        return environment;
    }

    /** Where its HTTP API answers ({@code http://localhost:<port>}), the same across restarts. */
    URI base() {
        return URI.create("http://localhost:" + port);
    }

    /** SIGKILL: requests in flight get no answer; what it had not handed to Kafka is gone. */
    void kill() {
        process.kill();
    }

    /** A new JVM on the same port, returning once it is healthy. */
    void restart() {
        launch();
    }

    /** {@code PUT} target for an entity of the type. */
    URI entity(String id) {
        return URI.create("http://localhost:" + port + "/v1/entities/" + type.name() + "/" + id);
    }

    @Override
    public void close() {
        process.close();
    }
}
