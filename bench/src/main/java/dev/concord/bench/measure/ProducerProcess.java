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

    private final ManagedProcess process;
    private final int port;
    private final EntityType type;

    ProducerProcess(BenchEnvironment env, EntityType type, String recording) {
        this.type = type;
        this.port = BenchEnvironment.freePort();
        this.process = ConcordModule.PRODUCER.launch(env.repositoryRoot(),
                env.childJavaOptions("-Xmx512m -XX:+UseParallelGC", recording), Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", env.bootstrapServers(),
                        "PORT", String.valueOf(port),
                        "CONCORD_TYPES", env.declarationFor(type).toString(),
                        "CONCORD_DEV_API_KEY", BenchEnvironment.DEV_KEY,
                        // Measure the API, not its per-client rate limit.
                        "CONCORD_RATE_LIMIT_PER_SECOND", "1000000",
                        "CONCORD_RATE_LIMIT_BURST", "1000000",
                        "CONCORD_WRITER_ID", "bench-producer"),
                env.workDir().resolve("logs").resolve("producer-" + type.name() + ".log"), line -> false);
        HealthProbe.await(process, URI.create("http://localhost:" + port + "/health"), Duration.ofMinutes(2));
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
