package dev.concord.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client/broker pairing the manifests deploy: the services' Kafka 4.4 clients against the broker Strimzi 1.2.0
 * runs, Kafka 4.3.1, started from Maven artifacts in a JVM of its own (its classpath resolved by
 * maven-dependency-plugin from src/test/resources/broker-4.3.1/pom.xml). What the services rely on: a transactional
 * producer and a read_committed consumer (exactly-once, the replica), and Kafka Streams with exactly_once_v2 on the
 * streams rebalance protocol (sync-processor's default). Needs Maven on the PATH (and the 4.3.1 artifacts, fetched
 * once); skipped with a hint where it cannot resolve them unless CONCORD_REQUIRE_TOOLS is set.
 */
class BrokerPairingTest {

    static final String BROKER_VERSION = "4.3.1";

    @TempDir
    static Path dir;

    static Process broker;
    static String bootstrap;

    @BeforeAll
    static void startTheBrokerStrimziRuns() throws Exception {
        String classpath = brokerClasspath();
        int port = freePort();
        int controllerPort = freePort();
        bootstrap = "localhost:" + port;
        Path props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller", "node.id=1",
                "controller.quorum.bootstrap.servers=localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "controller.listener.names=CONTROLLER", "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dir.resolve("data"), "num.partitions=1",
                "offsets.topic.replication.factor=1", "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1", "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1", "group.initial.rebalance.delay.ms=0", ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process format = new ProcessBuilder(java, "-Xmx128m", "-cp", classpath, "kafka.tools.StorageTool", "format",
                "-t", org.apache.kafka.common.Uuid.randomUuid().toString(), "-c", props.toString(), "--standalone")
                .redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        assertThat(format.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(format.exitValue()).as(Files.readString(dir.resolve("format.log"))).isZero();

        broker = new ProcessBuilder(java, "-Xmx384m", "-cp", classpath, "kafka.Kafka", props.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("broker.log").toFile()).start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000))) {
                return admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size() == 1;
            }
        });
    }

    @AfterAll
    static void stopTheBroker() throws InterruptedException {
        if (broker != null) {
            broker.destroy();
            if (!broker.waitFor(20, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
    }

    @Test
    void theBrokerIsStrimzisVersionAndTheClientsAreTheProjects() throws IOException {
        assertThat(Files.readString(dir.resolve("broker.log"))).contains("Kafka version: " + BROKER_VERSION);
        assertThat(AppInfoParser.getVersion()).startsWith("4.4.");
        assertThat(SchemaValidationTest.KAFKA_VERSIONS_BY_STRIMZI.get(SchemaValidationTest.STRIMZI_VERSION)).contains(BROKER_VERSION);
    }

    @Test
    void aTransactionalProducerAndAReadCommittedConsumerRoundTrip() throws Exception {
        // Given a topic on the 4.3.1 broker
        String topic = "pairing-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }

        // When a 4.4 transactional producer commits ten records and aborts one
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.TRANSACTIONAL_ID_CONFIG, "pairing-" + UUID.randomUUID()),
                new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "customer/" + i, "v" + i));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "customer/aborted", "never"));
            producer.flush();
            producer.abortTransaction();
        }

        // Then a 4.4 read_committed consumer in a group sees exactly the committed ten
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "pairing-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.key());
                }
                return seen.size() >= 10;
            });
            consumer.commitSync();
        }
        assertThat(seen).hasSize(10).doesNotContain("customer/aborted");
    }

    @Test
    void kafkaStreamsRunsExactlyOnceOnTheStreamsRebalanceProtocol() throws Exception {
        // Given input and output topics, and a Streams app configured like sync-processor's default
        String in = "pairing-in-" + UUID.randomUUID();
        String out = "pairing-out-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(in, 2, (short) 1), new NewTopic(out, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(in, Consumed.with(Serdes.String(), Serdes.String())).mapValues(v -> v + "!")
                .to(out, Produced.with(Serdes.String(), Serdes.String()));
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "pairing-" + UUID.randomUUID());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);

        try (KafkaStreams streams = new KafkaStreams(builder.build(), config)) {
            streams.start();
            // When an event goes in
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(in, "order/1", "placed")).get(30, TimeUnit.SECONDS);
            }
            // Then the decided value comes out, committed
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "pairing-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(out));
                List<String> values = new ArrayList<>();
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                    return !values.isEmpty();
                });
                assertThat(values).containsExactly("placed!");
            }
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    /** The 4.3.1 broker's runtime classpath, resolved by Maven from the test resource pom. */
    private static String brokerClasspath() throws Exception {
        Path pom = Path.of(BrokerPairingTest.class.getResource("/broker-4.3.1/pom.xml").toURI());
        Path out = dir.resolve("classpath.txt");
        String mvn = ExternalTool.locate("mvn", "MVN");
        String hint = "Maven must be on the PATH (or MVN set) to resolve org.apache.kafka:kafka_2.13:" + BROKER_VERSION + ".";
        // Offline first (the artifacts are usually in the local repository); online if they are not there yet.
        for (List<String> offline : List.of(List.of("-o"), List.<String>of())) {
            List<String> command = new ArrayList<>(List.of(mvn, "-q", "-B"));
            command.addAll(offline);
            command.addAll(List.of("-f", pom.toString(), "dependency:build-classpath", "-Dmdep.outputFile=" + out));
            ExternalTool.Result result = ExternalTool.run(dir, command, hint);
            if (result.exitCode() == 0 && Files.exists(out)) {
                return Files.readString(out).strip();
            }
        }
        String failed = "Could not resolve Kafka " + BROKER_VERSION + " from Maven. " + hint;
        if (System.getenv("CONCORD_REQUIRE_TOOLS") != null) {
            throw new AssertionError(failed);
        }
        org.junit.jupiter.api.Assumptions.abort(failed);
        throw new IllegalStateException("unreachable");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
