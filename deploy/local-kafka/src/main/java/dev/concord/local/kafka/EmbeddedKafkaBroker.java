package dev.concord.local.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka 4.4 broker (KRaft, combined broker + controller) running in this JVM,
 * so tests and local runs need neither Docker nor a Kafka download.
 *
 * <p>Tuned for one machine: every replication factor and min ISR is 1, internal topics have few
 * partitions (fast exactly-once and group-coordinator start-up), and the streams rebalance
 * protocol (KIP-1071, {@code group.protocol=streams}) is enabled with short intervals.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final String META_PROPERTIES = "meta.properties";

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> extraProps;
    private final JoinedQuorum joined;
    private boolean closed;

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, boolean deleteDataDirOnClose, int port, int controllerPort,
                                Map<String, String> extraProps, JoinedQuorum joined) {
        this.server = server;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.port = port;
        this.controllerPort = controllerPort;
        this.extraProps = Map.copyOf(extraProps);
        this.joined = joined;
    }

    /** A broker-only node ({@link Builder#joining}): the node id it has and the controller it registers with. */
    private record JoinedQuorum(int nodeId, int controllerPort, String clusterId) {
    }

    /**
     * Starts a broker and returns once it answers client requests.
     *
     * @param dataDir where the log lives; {@code null} for a temporary directory deleted on {@link #close()}.
     *                An existing, already formatted directory is reused as is (data survives restarts).
     * @param port    client (PLAINTEXT) port; {@code 0} picks a free one
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port) {
        return builder().dataDir(dataDir).port(port).start();
    }

    /** Starts a broker on a free port with a temporary data directory. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code localhost:<port>}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** This node's {@code node.id}: 1 for the combined broker + controller, the given one for a {@link Builder#joining} node. */
    public int nodeId() {
        return joined == null ? 1 : joined.nodeId();
    }

    /**
     * Shuts this broker down and starts a new one on the same ports and data, as a broker restart does to its clients:
     * their connections drop, and they find the broker again at the same address with every committed record and
     * transaction. For fault tests (the benchmark's fault campaign). Not for a broker on a temporary directory.
     *
     * @return the running broker; this one is closed
     */
    public EmbeddedKafkaBroker restart() {
        if (deleteDataDirOnClose) {
            throw new IllegalStateException("a broker on a temporary data directory loses its data on close: it cannot restart");
        }
        close();
        return builder().dataDir(dataDir).port(port).controllerPort(controllerPort).brokerProperties(extraProps).joined(joined)
                .start();
    }

    /** Shuts the broker down cleanly and deletes the data directory if it was a temporary one. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteDataDirOnClose) {
                deleteRecursively(dataDir);
            }
        }
        LOG.info("Kafka broker on port {} stopped in {} ms", port, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Options beyond data dir and port; broker properties set here override the defaults. */
    public static final class Builder {
        private Path dataDir;
        private int port;
        private int controllerPort;
        private JoinedQuorum joined;
        private final Map<String, String> extraProps = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * A second broker, {@code node.id = nodeId}, without a controller: it registers with {@code quorum}'s controller
         * and joins its cluster. For tests that need a partition led by a broker other than the coordinators' (a
         * partition whose only replica stops while the rest of the cluster runs).
         */
        public Builder joining(EmbeddedKafkaBroker quorum, int nodeId) {
            if (nodeId == 1) {
                throw new IllegalArgumentException("node id 1 is the quorum's own");
            }
            return joined(new JoinedQuorum(nodeId, quorum.controllerPort, clusterIdOf(quorum.dataDir)));
        }

        /** As {@link #joining}, for a restart: {@code null} for the combined broker + controller. */
        private Builder joined(JoinedQuorum quorum) {
            this.joined = quorum;
            return this;
        }

        /** {@code null} (default): a temporary directory, deleted on close. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** {@code 0} (default): a free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** The controller listener's port; {@code 0} (default): a free one. A restart keeps the one it had. */
        public Builder controllerPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.controllerPort = port;
            return this;
        }

        /**
         * A second PLAINTEXT listener, {@code PROXIED}, on {@code port}, advertised at {@code advertisedPort}: a client that
         * bootstraps at {@code localhost:advertisedPort} (a proxy forwarding to {@code port}) is sent back there for every
         * request, so all its traffic crosses the proxy. For network-fault tests.
         */
        public Builder proxiedListener(int port, int advertisedPort) {
            brokerProperty(PROXIED_PORT, String.valueOf(port));
            brokerProperty(PROXIED_ADVERTISED_PORT, String.valueOf(advertisedPort));
            return this;
        }

        /** Any broker property, e.g. {@code log.retention.ms}; overrides the defaults. */
        public Builder brokerProperty(String key, String value) {
            extraProps.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        public Builder brokerProperties(Map<String, String> props) {
            props.forEach(this::brokerProperty);
            return this;
        }

        public EmbeddedKafkaBroker start() {
            // A free port can be taken by another process between our probe and Kafka's bind: probe again then.
            for (int attempt = 1; ; attempt++) {
                try {
                    return startOnce();
                } catch (RuntimeException e) {
                    if (port != 0 || attempt == 3 || !isBindFailure(e)) {
                        throw e;
                    }
                    LOG.warn("Port taken while starting Kafka, retrying with other ports: {}", e.toString());
                }
            }
        }

        private EmbeddedKafkaBroker startOnce() {
            long t0 = System.nanoTime();
            boolean temporary = dataDir == null;
            Path dir;
            try {
                dir = temporary ? Files.createTempDirectory("concord-kafka-") : Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create Kafka data dir", e);
            }
            try {
                int clientPort = port == 0 ? freePort() : port;
                int quorumPort = controllerPort == 0 ? freePort() : controllerPort;
                Properties props = joined == null ? brokerProps(dir, clientPort, quorumPort) : joiningBrokerProps(dir, clientPort, joined);
                props.putAll(extraProps);
                addProxiedListener(props);
                formatIfNeeded(dir, props, joined);
                KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
                EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, dir, temporary, clientPort,
                        joined == null ? quorumPort : joined.controllerPort(), extraProps, joined);
                try {
                    server.startup();
                    broker.awaitReady();
                } catch (RuntimeException | Error e) {
                    broker.close();
                    throw e;
                }
                LOG.info("Kafka broker ready at {} (data dir {}) in {} ms", broker.bootstrapServers(), dir,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                return broker;
            } catch (RuntimeException | Error e) {
                if (temporary) {
                    deleteRecursively(dir);
                }
                throw e;
            }
        }

        private static boolean isBindFailure(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    return true;
                }
            }
            return false;
        }
    }

    // Not broker properties: what proxiedListener() asked for, turned into listener settings by addProxiedListener().
    private static final String PROXIED_PORT = "concord.proxied.port";
    private static final String PROXIED_ADVERTISED_PORT = "concord.proxied.advertised.port";

    private static void addProxiedListener(Properties props) {
        Object port = props.remove(PROXIED_PORT);
        Object advertised = props.remove(PROXIED_ADVERTISED_PORT);
        if (port == null) {
            return;
        }
        props.put("listeners", props.get("listeners") + ",PROXIED://localhost:" + port);
        props.put("advertised.listeners", props.get("advertised.listeners") + ",PROXIED://localhost:" + advertised);
        props.put("listener.security.protocol.map", props.get("listener.security.protocol.map") + ",PROXIED:PLAINTEXT");
    }

    static Properties brokerProps(Path dataDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", "localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDir.toAbsolutePath().toString());

        // One node: every replication factor and min ISR is 1.
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");

        // Few internal partitions: the first transactional / group request creates them, and 50 is slow here.
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.num.partitions", "1");

        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");

        // Streams rebalance protocol (KIP-1071): enabled by default in 4.4 (streams.version=1 on format, "streams" in
        // group.coordinator.rebalance.protocols); these make the first assignment and later rebalances quick.
        p.put("group.streams.initial.rebalance.delay.ms", "0");
        p.put("group.streams.min.heartbeat.interval.ms", "500");
        p.put("group.streams.heartbeat.interval.ms", "1000");
        p.put("group.streams.min.session.timeout.ms", "6000");
        p.put("group.streams.session.timeout.ms", "10000");
        return p;
    }

    /** The defaults of {@link #brokerProps}, as a broker-only node registering with the controller of another. */
    private static Properties joiningBrokerProps(Path dataDir, int port, JoinedQuorum quorum) {
        Properties p = brokerProps(dataDir, port, quorum.controllerPort());
        p.put("process.roles", "broker");
        p.put("node.id", String.valueOf(quorum.nodeId()));
        p.put("listeners", "PLAINTEXT://localhost:" + port);
        return p;
    }

    private static String clusterIdOf(Path quorumDataDir) {
        Properties meta = new Properties();
        try (var in = Files.newInputStream(quorumDataDir.resolve(META_PROPERTIES))) {
            meta.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the quorum's cluster id", e);
        }
        return Objects.requireNonNull(meta.getProperty("cluster.id"), "cluster.id in " + quorumDataDir.resolve(META_PROPERTIES));
    }

    /** Formats the log dir once (KRaft needs meta.properties + bootstrap checkpoint); a formatted dir is reused. */
    private static void formatIfNeeded(Path dir, Properties props, JoinedQuorum joined) {
        if (Files.exists(dir.resolve(META_PROPERTIES))) {
            return;
        }
        Path propsFile = dir.resolve("format-server.properties");
        try {
            try (OutputStream out = Files.newOutputStream(propsFile)) {
                props.store(out, "used once to format this directory");
            }
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            String[] args = joined != null
                    // A broker-only node takes the cluster's id; the features are the controller's.
                    ? new String[] {"format", "-t", joined.clusterId(), "-c", propsFile.toString()}
                    : new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString(), "--standalone",
                            // Explicit, though 4.4 defaults to it: streams groups need streams.version >= 1.
                            "--feature", "streams.version=1"};
            int rc;
            try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
                rc = StorageTool.execute(args, out);
            }
            if (rc != 0) {
                throw new IllegalStateException("Formatting " + dir + " failed (rc=" + rc + "): "
                        + captured.toString(StandardCharsets.UTF_8));
            }
            LOG.debug("Formatted {}: {}", dir, captured.toString(StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(propsFile);
            } catch (IOException ignored) {
                // the file is harmless; Kafka ignores unknown files in the log dir
            }
        }
    }

    /** startup() returns before clients are served; wait until describeCluster lists this node (registered, unfenced). */
    private void awaitReady() {
        Map<String, Object> conf = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(conf)) {
            while (System.nanoTime() < deadline) {
                try {
                    // Blocks for up to the API timeout, so this loop does not spin.
                    if (admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream().anyMatch(n -> n.id() == nodeId())) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for Kafka", e);
                } catch (Exception e) {
                    last = e;
                }
            }
        }
        throw new IllegalStateException("Kafka at " + bootstrapServers() + " not ready after " + READY_TIMEOUT, last);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not delete {}", dir, e);
        }
    }
}
