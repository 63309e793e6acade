package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.contract.types.EntityType;
import dev.concord.local.stack.ConcordModule;
import dev.concord.local.stack.HealthProbe;
import dev.concord.local.stack.ManagedProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One sync-processor instance as its own JVM, started exactly as the service runs: instances given the same
 * application id share the partitions. {@link #kill} is a SIGKILL (no clean close, its state directory left as it was),
 * so {@link #restart} exercises recovery from a crash under exactly-once.
 */
final class ProcessorProcess implements AutoCloseable {

    private final BenchEnvironment env;
    private final EntityType type;
    private final String name;
    private final String applicationId;
    private final Path stateDir;
    private final String bootstrapServers;
    private int incarnation;
    private int port;
    private ManagedProcess process;

    ProcessorProcess(BenchEnvironment env, EntityType type, String name, String applicationId) {
        this(env, type, name, applicationId, env.bootstrapServers());
    }

    /** @param bootstrapServers where it finds the broker, e.g. through the environment's TCP proxy */
    ProcessorProcess(BenchEnvironment env, EntityType type, String name, String applicationId, String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.env = env;
        this.type = type;
        this.name = name;
        this.applicationId = applicationId;
        this.stateDir = env.workDir().resolve("state-" + name);
        launch();
    }

    private void launch() {
        incarnation++;
        port = BenchEnvironment.freePort();
        process = ConcordModule.SYNC_PROCESSOR.launch(env.repositoryRoot(), "-Xmx384m -XX:+UseSerialGC", Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", bootstrapServers,
                        "PORT", String.valueOf(port),
                        "CONCORD_TYPES", env.declarationFor(type).toString(),
                        "CONCORD_PROCESSOR_APP_ID", applicationId,
                        "CONCORD_STATE_DIR", stateDir.toString(),
                        "CONCORD_DEV_API_KEY", BenchEnvironment.DEV_KEY,
                        // The load's clocks are generated, not read from this machine's clock: refuse none for skew.
                        "CONCORD_MAX_CLOCK_SKEW", "24h"),
                env.workDir().resolve("logs").resolve(name + "-" + incarnation + ".log"), line -> false);
    }

    void awaitHealthy() {
        HealthProbe.await(process, URI.create("http://localhost:" + port + "/health"), Duration.ofMinutes(2));
    }

    /** SIGKILL: no clean shutdown, no last commit. */
    void kill() {
        process.kill();
    }

    /** A new JVM on the same state directory and application id. */
    void restart() {
        launch();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String logTail() {
        return process.logTail(30);
    }

    @Override
    public void close() {
        process.close();
    }
}
