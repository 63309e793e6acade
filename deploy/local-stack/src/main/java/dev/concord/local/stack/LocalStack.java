package dev.concord.local.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Concord on one machine: a real single-node KRaft broker and sync-processor, producer-service and
 * consumer-service, each its own JVM, started from the build output. consumer-service runs embedded
 * PostgreSQL because no JDBC URL is given. Everything lives under the run directory: {@code logs/}
 * and {@code data/}. Closing stops the services first, then the broker.
 *
 * <p>With sources ({@code --sources}), a PostgreSQL of its own holds two sample databases that reach Concord
 * without its API: {@code legacy}, a table under change data capture, and {@code app}, a table whose trigger
 * writes the transactional outbox (deploy/local-postgres, {@code SampleSources}); producer-service captures one
 * and relays the other.
 */
public final class LocalStack implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final String BOOTSTRAP_LINE = "KAFKA_BOOTSTRAP_SERVERS=";
    private static final String SOURCES_LINE = "SOURCES_READY ";
    private static final String OUTBOX_DDL = "producer-service/src/main/resources/db/concord-outbox/V1__concord_outbox.sql";

    private final LocalStackConfig config;
    private ManagedProcess kafka;
    private ManagedProcess sources;
    private Map<String, String> sourceUrls = Map.of();
    private final List<ManagedProcess> services = new ArrayList<>();
    private String bootstrapServers;
    private int producerPort;
    private int processorPort;
    private int consumerPort;
    private final String devApiKey;

    private LocalStack(LocalStackConfig config) {
        this.config = config;
        // producer-service is secure by default; the local stack runs it with one development key
        // that has every grant. A fresh one each run unless CONCORD_DEV_API_KEY is set.
        String configured = System.getenv("CONCORD_DEV_API_KEY");
        this.devApiKey = configured != null && !configured.isBlank() ? configured
                : "dev-" + java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(8));
    }

    /** Starts everything and returns once every service answers healthy; on failure stops what started. */
    public static LocalStack start(LocalStackConfig config) {
        LocalStack stack = new LocalStack(config);
        try {
            stack.startAll();
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() {
        Path data = config.runDirectory().resolve("data");
        kafka = launch(ConcordModule.KAFKA, Map.of(), line -> line.startsWith(BOOTSTRAP_LINE),
                "--data-dir", data.resolve("kafka").toString(), "--port", "0");
        bootstrapServers = awaitLine(kafka).substring(BOOTSTRAP_LINE.length()).trim();
        if (config.sourcesFile() != null) {
            startSources(data);
        }

        producerPort = portOrFree(config.producerPort());
        processorPort = portOrFree(config.processorPort());
        consumerPort = portOrFree(config.consumerPort());
        // The services start concurrently; each creates the topics it needs idempotently.
        services.addAll(List.of(
                launch(ConcordModule.SYNC_PROCESSOR, processorEnvironment(data), line -> false),
                launch(ConcordModule.PRODUCER, producerEnvironment(data), line -> false),
                launch(ConcordModule.CONSUMER, withServiceEnvironment(Map.of(
                        "PORT", String.valueOf(consumerPort),
                        "CONCORD_DEV_API_KEY", devApiKey,
                        "CONCORD_PG_DATA_DIR", data.resolve("postgres").toString())), line -> false)));
        awaitHealthy(services.get(0), processorPort);
        awaitHealthy(services.get(1), producerPort);
        awaitHealthy(services.get(2), consumerPort);
    }

    /**
     * Starts one more producer-service instance on the same broker, with its own writer id, data directory and port
     * (scale-out, and tests that a write taken by one instance is known to another); stopped with the stack.
     *
     * @return its base URL
     */
    public URI startAnotherProducer(String writerId) {
        Path data = config.runDirectory().resolve("data").resolve("producer-" + writerId);
        Map<String, String> env = new java.util.HashMap<>(producerEnvironment(data));
        int port = portOrFree(0);
        env.put("PORT", String.valueOf(port));
        env.put("CONCORD_WRITER_ID", writerId);
        env.remove("CONCORD_CDC_JDBC_URL"); // one instance captures changes; a second would capture them twice
        env.remove("CONCORD_CDC_TABLES");
        ManagedProcess producer = module(ConcordModule.PRODUCER, env, "producer-service-" + writerId);
        services.add(producer);
        awaitHealthy(producer, port);
        return URI.create("http://localhost:" + port);
    }

    private void startSources(Path data) {
        sources = launch(ConcordModule.POSTGRES, Map.of(), line -> line.startsWith(SOURCES_LINE), "serve",
                "--data-dir", data.resolve("sources").toString(),
                "--outbox-ddl", config.repositoryRoot().resolve(OUTBOX_DDL).toString(),
                "--sources-file", config.sourcesFile().toString());
        Map<String, String> urls = new java.util.LinkedHashMap<>();
        for (String database : awaitLine(sources).substring(SOURCES_LINE.length()).trim().split(" ")) {
            urls.put(database.substring(0, database.indexOf('=')), database.substring(database.indexOf('=') + 1));
        }
        sourceUrls = Map.copyOf(urls);
    }

    private Map<String, String> processorEnvironment(Path data) {
        return withServiceEnvironment(Map.of(
                "PORT", String.valueOf(processorPort),
                "CONCORD_DEV_API_KEY", devApiKey,
                "CONCORD_STATE_DIR", data.resolve("sync-processor").toString()));
    }

    private Map<String, String> withServiceEnvironment(Map<String, String> own) {
        Map<String, String> env = new java.util.HashMap<>(config.serviceEnvironment());
        env.putAll(own);
        return env;
    }

    private Map<String, String> producerEnvironment(Path data) {
        Map<String, String> env = new java.util.HashMap<>(config.serviceEnvironment());
        if (!sourceUrls.isEmpty()) {
            env.put("CONCORD_CDC_JDBC_URL", sourceUrls.get("legacy"));
            env.put("CONCORD_CDC_TABLES", "public.customers=customer");
            env.put("CONCORD_OUTBOX_JDBC_URL", sourceUrls.get("app"));
            env.put("CONCORD_OUTBOX_POLL_INTERVAL", "100ms");
        }
        env.putAll(config.producerEnvironment());
        env.put("PORT", String.valueOf(producerPort));
        env.put("CONCORD_DEV_API_KEY", devApiKey);
        env.put("CONCORD_DATA_DIR", data.resolve("producer-service").toString());
        return env;
    }

    private ManagedProcess launch(ConcordModule module, Map<String, String> environment,
                                  java.util.function.Predicate<String> lineToAwait, String... args) {
        return launchLogged(module, environment, module.processName(), lineToAwait, args);
    }

    private ManagedProcess module(ConcordModule module, Map<String, String> environment, String logName) {
        return launchLogged(module, environment, logName, line -> false);
    }

    private ManagedProcess launchLogged(ConcordModule module, Map<String, String> environment, String logName,
                                        java.util.function.Predicate<String> lineToAwait, String... args) {
        Map<String, String> env = new java.util.HashMap<>(environment);
        if (bootstrapServers != null) {
            env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        }
        return module.launch(config.repositoryRoot(), config.javaOptions(), env,
                config.runDirectory().resolve("logs").resolve(logName + ".log"), lineToAwait, args);
    }

    private static String awaitLine(ManagedProcess process) {
        try {
            return process.awaitedLine().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(process.name() + " did not start:\n" + process.logTail(30), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + process.name(), e);
        }
    }

    private void awaitHealthy(ManagedProcess process, int port) {
        HealthProbe.await(process, URI.create("http://localhost:" + port + "/health"), START_TIMEOUT);
    }

    private static int portOrFree(int port) {
        if (port != 0) {
            return port;
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The key every service accepts from the local developer (header {@code X-Api-Key}); every grant, local only. */
    public String devApiKey() {
        return devApiKey;
    }

    public URI producerUrl() {
        return URI.create("http://localhost:" + producerPort);
    }

    public URI processorUrl() {
        return URI.create("http://localhost:" + processorPort);
    }

    public URI consumerUrl() {
        return URI.create("http://localhost:" + consumerPort);
    }

    public Path runDirectory() {
        return config.runDirectory();
    }

    /** The sample sources' databases by name ({@code legacy}, {@code app}) as JDBC URLs; empty without sources. */
    public Map<String, String> sourceUrls() {
        return sourceUrls;
    }

    /**
     * Kills producer-service at once (SIGKILL: no shutdown hooks, in-flight work lost, as in a crash)
     * and starts it again with the same settings; returns once it is healthy. For failure tests.
     */
    public void crashAndRestartProducer() {
        crashAndRestart(ConcordModule.PRODUCER, producerEnvironment(config.runDirectory().resolve("data")), producerPort);
    }

    /**
     * SIGKILLs sync-processor and starts it again on the same state directory (the fault campaigns); returns once it is
     * healthy again. Under exactly-once, whatever it had not committed is redone, nothing twice.
     */
    public void crashAndRestartProcessor() {
        crashAndRestart(ConcordModule.SYNC_PROCESSOR, processorEnvironment(config.runDirectory().resolve("data")), processorPort);
    }

    private void crashAndRestart(ConcordModule module, Map<String, String> environment, int port) {
        ManagedProcess crashed = services.stream().filter(p -> p.name().equals(module.processName())).findFirst().orElseThrow();
        crashed.kill();
        services.remove(crashed);
        ManagedProcess restarted = launch(module, environment, line -> false);
        services.add(restarted);
        awaitHealthy(restarted, port);
    }

    /** The first process found dead, if any: the stack is broken once one has gone. */
    public java.util.Optional<String> deadProcess() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(kafka, sources).filter(java.util.Objects::nonNull),
                        services.stream())
                .filter(p -> !p.isAlive()).map(p -> p.name() + " exited; see " + p.log()).findFirst();
    }

    /** Stops the services together, then the broker they need to shut down cleanly. */
    @Override
    public void close() {
        services.parallelStream().forEach(ManagedProcess::close);
        services.clear();
        if (sources != null) {
            sources.close();
            sources = null;
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }
}
