package dev.concord.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    private static EmbeddedKafkaBroker broker;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        long t0 = System.nanoTime();
        broker = EmbeddedKafkaBroker.start(null, 0);
        System.out.printf("Embedded Kafka started in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            Path dir = broker.dataDir();
            broker.close();
            assertThat(dir).as("temporary data dir is deleted on close").doesNotExist();
        }
    }

    @Test
    void producesAndConsumesARecord() throws Exception {
        String topic = unique("plain");
        createTopics(admin, topic);

        try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
            producer.send(new ProducerRecord<>(topic, "k", "hello")).get(30, TimeUnit.SECONDS);
        }

        assertThat(readValues(broker.bootstrapServers(), topic, 1)).containsExactly("hello");
    }

    /** The processor runs exactly_once_v2 with group.protocol=streams: the broker must support both. */
    @Test
    void runsExactlyOnceStreamsAppWithStreamsRebalanceProtocol(@TempDir Path stateDir) throws Exception {
        String appId = unique("copy-app");
        String input = appId + "-in";
        String output = appId + "-out";
        createTopics(admin, input, output);

        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream(input).mapValues(v -> "copied:" + v).to(output);

        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);

        long t0 = System.nanoTime();
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> streams.state() == KafkaStreams.State.RUNNING);

            try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
                producer.send(new ProducerRecord<>(input, "k", "v1")).get(30, TimeUnit.SECONDS);
            }
            // read_committed: only visible once the Streams transaction committed.
            assertThat(readValues(broker.bootstrapServers(), output, 1)).containsExactly("copied:v1");
            System.out.printf("EOS streams app copied a record in %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

            StreamsGroupDescription group = admin.describeStreamsGroups(List.of(appId))
                    .describedGroups().get(appId).get(30, TimeUnit.SECONDS);
            assertThat(group.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(group.members()).hasSize(1);
        }
    }

    /** LocalKafkaMain reuses its --data-dir: a restart (on new ports) keeps topics and records. */
    @Test
    void restartOnSameDataDirKeepsData(@TempDir Path dataDir) throws Exception {
        String topic = unique("durable");
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(dataDir, 0);
             Admin firstAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers()));
             KafkaProducer<String, String> producer = producer(first.bootstrapServers())) {
            createTopics(firstAdmin, topic);
            producer.send(new ProducerRecord<>(topic, "k", "before restart")).get(30, TimeUnit.SECONDS);
        }
        assertThat(dataDir.resolve("meta.properties")).exists();

        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(dataDir, 0)) {
            assertThat(readValues(second.bootstrapServers(), topic, 1)).containsExactly("before restart");
        }
        assertThat(dataDir).as("a given data dir is kept").exists();
    }

    @Test
    void restartKeepsTheAddressSoAClientCarriesOnAcrossIt(@TempDir Path dataDir) throws Exception {
        String topic = unique("restarted");
        EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().dataDir(dataDir).start();
        EmbeddedKafkaBroker second = null;
        try (Admin firstAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers()));
             KafkaProducer<String, String> producer = producer(first.bootstrapServers())) {
            createTopics(firstAdmin, topic);
            producer.send(new ProducerRecord<>(topic, "k", "before")).get(30, TimeUnit.SECONDS);

            second = first.restart();

            assertThat(second.bootstrapServers()).isEqualTo(first.bootstrapServers());
            producer.send(new ProducerRecord<>(topic, "k", "after")).get(60, TimeUnit.SECONDS);
            assertThat(readValues(second.bootstrapServers(), topic, 2)).containsExactly("before", "after");
        } finally {
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void servesClientsOnTheProxiedListenerAtItsAdvertisedPort(@TempDir Path dataDir) throws Exception {
        int proxied;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            proxied = socket.getLocalPort();
        }
        // Advertised at its own port here (no proxy in between): what matters is that a client bootstrapped there is
        // sent back there, not to the PLAINTEXT listener.
        try (EmbeddedKafkaBroker withProxy = EmbeddedKafkaBroker.builder().dataDir(dataDir).proxiedListener(proxied, proxied).start();
             Admin proxiedAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + proxied));
             KafkaProducer<String, String> producer = producer("localhost:" + proxied)) {
            String topic = unique("proxied");
            createTopics(proxiedAdmin, topic);
            assertThat(proxiedAdmin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .singleElement().satisfies(node -> assertThat(node.port()).isEqualTo(proxied));
            producer.send(new ProducerRecord<>(topic, "k", "through the proxied listener")).get(30, TimeUnit.SECONDS);
            assertThat(readValues(withProxy.bootstrapServers(), topic, 1)).containsExactly("through the proxied listener");
        }
    }

    @Test
    void aSecondBrokerJoinsTheClusterLeadsAPartitionAndKeepsItAcrossARestart(@TempDir Path dataDirs) throws Exception {
        String topic = unique("on-node-2");
        EmbeddedKafkaBroker quorum = EmbeddedKafkaBroker.builder().dataDir(dataDirs.resolve("node-1")).start();
        EmbeddedKafkaBroker joined = EmbeddedKafkaBroker.builder().dataDir(dataDirs.resolve("node-2")).joining(quorum, 2).start();
        try (Admin clusterAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, quorum.bootstrapServers()));
             KafkaProducer<String, String> producer = producer(quorum.bootstrapServers())) {
            assertThat(clusterAdmin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).extracting(node -> node.id())
                    .containsExactlyInAnyOrder(1, 2);
            clusterAdmin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(joined.nodeId()))))).all().get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(topic, "k", "before")).get(30, TimeUnit.SECONDS);

            joined = joined.restart();

            assertThat(joined.nodeId()).isEqualTo(2);
            producer.send(new ProducerRecord<>(topic, "k", "after")).get(60, TimeUnit.SECONDS);
            assertThat(readValues(quorum.bootstrapServers(), topic, 2)).containsExactly("before", "after");
            assertThat(clusterAdmin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().get(0).leader().id()).isEqualTo(2);
        } finally {
            joined.close();
            quorum.close();
        }
    }

    static void createTopics(Admin admin, String... topics) throws Exception {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String t : topics) {
            newTopics.add(new NewTopic(t, 1, (short) 1));
        }
        admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    /** Polls from the beginning (read_committed) until {@code count} values arrived. */
    static List<String> readValues(String bootstrap, String topic, int count) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, unique("reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= count;
            });
        }
        return values;
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
