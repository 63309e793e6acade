package dev.concord.bench;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import dev.concord.local.kafka.EmbeddedKafkaBroker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.utils.Utils;

/**
 * What every measurement runs against, started once per benchmark run: a real KRaft broker and a
 * real PostgreSQL, both on this machine, so baselines and Concord share the same hardware and noise.
 * Each measurement takes its own entity type (hence its own topics) and its own database.
 */
public final class BenchEnvironment implements AutoCloseable {

    private final Path workDir;
    private final Path repositoryRoot;
    // Replaced by a restart (the fault campaign's broker and PostgreSQL faults); same address, same data.
    private volatile EmbeddedKafkaBroker broker;
    private volatile EmbeddedPostgres postgres;
    private final TcpProxy proxy;
    private final AtomicInteger sequence = new AtomicInteger();
    private Path profileDirectory;

    private BenchEnvironment(Path workDir, Path repositoryRoot, EmbeddedKafkaBroker broker, EmbeddedPostgres postgres, TcpProxy proxy) {
        this.workDir = workDir;
        this.repositoryRoot = repositoryRoot;
        this.broker = broker;
        this.postgres = postgres;
        this.proxy = proxy;
    }

    /**
     * The development key every service the harness starts accepts (CONCORD_DEV_API_KEY, every grant):
     * the harness sends it on every request, as a developer with {@code ./concord up} would.
     */
    public static final String DEV_KEY = "bench-" + java.util.UUID.randomUUID();

    /** @throws IllegalStateException when {@code workDir} holds an earlier run's broker data, processor state or logs */
    public static BenchEnvironment start(Path workDir, Path repositoryRoot) throws IOException {
        // An earlier run's broker log and processor state would mix into this run's topics and stores (the same
        // seeds give the same type and instance names): every run starts from nothing.
        if (Files.isDirectory(workDir)) {
            try (var entries = Files.list(workDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalStateException(workDir + " holds an earlier run: give --out a new directory");
                }
            }
        }
        Files.createDirectories(workDir);
        // A second listener reached only through a TCP proxy: services started on proxiedBootstrapServers() talk to the
        // broker across it, so the fault campaign can slow, reset or cut their link alone.
        int proxiedListener = freePort();
        TcpProxy proxy = new TcpProxy(0, new java.net.InetSocketAddress("localhost", proxiedListener));
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(workDir.resolve("kafka"))
                .proxiedListener(proxiedListener, proxy.port()).start();
        // Kept on close (the work directory is new for every run): a restart must find the databases again.
        EmbeddedPostgres postgres = postgresOn(workDir, 0);
        return new BenchEnvironment(workDir, repositoryRoot, broker, postgres, proxy);
    }

    private static EmbeddedPostgres postgresOn(Path workDir, int port) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(workDir.resolve("postgres"))
                .setCleanDataDirectory(false)
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "200");
        if (port > 0) {
            builder.setPort(port);
        }
        return builder.start();
    }

    /** The broker stops (cleanly) and starts again at the same address with the same data: every client reconnects. */
    public synchronized void restartBroker() {
        broker = broker.restart();
    }

    /**
     * PostgreSQL stops for {@code down}, then starts again on the same port with the same data: every replica's
     * connections break, its batches fail until then, and it must resume from its stored offsets.
     */
    public synchronized void restartPostgres(java.time.Duration down) throws IOException, InterruptedException {
        int port = postgres.getPort();
        postgres.close();
        Thread.sleep(down.toMillis()); // the outage's length is the fault: nothing to await but time
        postgres = postgresOn(workDir, port);
    }

    /** Profile every measurement with Java Flight Recorder, recordings in {@code directory}. */
    public void enableProfiling(Path directory) {
        try {
            this.profileDirectory = Files.createDirectories(directory.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public java.util.Optional<Path> profileDirectory() {
        return java.util.Optional.ofNullable(profileDirectory);
    }

    /** JVM options for a child process, with a flight recording dumped at exit when profiling. */
    public String childJavaOptions(String base, String recordingName) {
        return profileDirectory == null ? base : base + " -XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                + profileDirectory.resolve(recordingName + ".jfr");
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The broker through the TCP proxy ({@link #proxy()}): every request of a client bootstrapped here crosses it. */
    public String proxiedBootstrapServers() {
        return "localhost:" + proxy.port();
    }

    public TcpProxy proxy() {
        return proxy;
    }

    public Map<String, Object> kafkaConfig() {
        return Map.of("bootstrap.servers", broker.bootstrapServers());
    }

    public Path workDir() {
        return workDir;
    }

    public Path repositoryRoot() {
        return repositoryRoot;
    }

    /** A fresh entity type (so fresh topics) with the sample customer schema. */
    public EntityType newType(String purpose, MergePolicy policy, int partitions) {
        return new EntityType(purpose + "-" + sequence.incrementAndGet(), Customer.getClassSchema(), policy, partitions);
    }

    /** Connects the contract for these types: topics created, writer schemas registered. */
    public ConcordContract contract(EntityType... types) {
        return ConcordContract.connect(kafkaConfig(), EntityTypes.of(List.of(types))).registerWriterSchemas();
    }

    /** A declaration file for processes (consumer-service, producer-service) that should serve {@code type}. */
    public Path declarationFor(EntityType type) {
        Path file = workDir.resolve("types-" + type.name() + ".json");
        try {
            Files.writeString(file, "{\"types\":[{\"name\":\"" + type.name() + "\",\"schema\":\"classpath:avro/domain/customer.avsc\","
                    + "\"policy\":\"" + type.policy().id() + "\",\"partitions\":" + type.partitions() + "}]}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A new, empty database; returns its JDBC URL. */
    public String newDatabase(String name) {
        try (Connection admin = postgres.getPostgresDatabase().getConnection(); Statement sql = admin.createStatement()) {
            sql.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return postgres.getJdbcUrl("postgres", name);
    }

    public Connection connect(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl);
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        proxy.close();
        broker.close();
        postgres.close();
    }

    /**
     * After a run, closed: deletes what the brokers, PostgreSQL, the processors and Kafka Connect stored under
     * {@code workDir} — every directory but {@code logs} (a full run leaves gigabytes: one full processor measurement alone
     * ~3.4 GB, and repeated runs filled this machine's disk), keeping the logs and the type declarations. Called only for a
     * run whose results hold, so a failed run keeps its data for diagnosis.
     */
    public static void deleteStoredData(Path workDir) throws IOException {
        try (var entries = Files.list(workDir)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (Files.isDirectory(entry) && !name.equals("logs")) {
                    Utils.delete(entry.toFile()); // kafka-clients' recursive delete, already on the classpath
                }
            }
        }
    }
}
