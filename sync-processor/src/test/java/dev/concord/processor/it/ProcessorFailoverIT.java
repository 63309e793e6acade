package dev.concord.processor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.outcomes.DecisionHeaders;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.domain.Customer;
import dev.concord.processor.merge.MergeDecision;
import dev.concord.processor.merge.MergeRule;
import dev.concord.processor.merge.MergeRules;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two sync-processor processes share the partitions; one is killed (SIGKILL, no clean close) in the
 * middle of 50,000 conflicting events. The survivor takes over, and the state topic read with
 * read_committed must equal what the pure merge rule computes from the input: every key, the right
 * version and content, and each version decided exactly once (the unchanged states that lost writes publish
 * repeat the version before them, see readStates). A third instance then joins, and state
 * queries answer from whichever instance is asked. Each instance keeps a standby of the others' tasks, as in production
 * (updated from the state topic, the store's log). The instances mix the two state stores: the killed one and the
 * one that joins keep RocksDB, the survivor keeps its states on the heap, so both restore paths are crossed.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ProcessorFailoverIT {

    private static final int EVENTS = 50_000;
    private static final int KEYS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void shouldLoseNothingWhenAnInstanceIsKilledMidStream() throws Exception {
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        Path work = Files.createTempDirectory("failover");
        EntityType type = new EntityType(KafkaTestClients.uniqueId("failover"), Customer.getClassSchema(),
                dev.concord.contract.types.MergePolicy.FIELD_MERGE, 4);
        Path declaration = work.resolve("types.json");
        Files.writeString(declaration, "{\"types\":[{\"name\":\"" + type.name()
                + "\",\"schema\":\"classpath:avro/domain/customer.avsc\",\"policy\":\"field-merge\",\"partitions\":4}]}");
        String appId = KafkaTestClients.uniqueId("failover-app");
        Map<String, Object> kafka = Map.of("bootstrap.servers", bootstrap);
        // As in production: a warm standby of each task, kept up to date from the state topic (the state store's log).
        // Under the streams rebalance protocol (KIP-1071) standbys are the group's setting, not the client's.
        try (Admin admin = Admin.create(kafka)) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, appId), List.of(new AlterConfigOp(
                    new ConfigEntry("streams.num.standby.replicas", "1"), AlterConfigOp.OpType.SET)))).all().get();
        }

        try (ConcordContract contract = ConcordContract.connect(kafka, EntityTypes.of(List.of(type))).registerWriterSchemas()) {
            Instance a = startProcessor("a", work, declaration, appId, bootstrap, "rocksdb");
            Instance b = startProcessor("b", work, declaration, appId, bootstrap, "in-memory");
            awaitHealthy(a);
            awaitHealthy(b);
            await().atMost(Duration.ofMinutes(1)).until(() -> standbyTasks(kafka, appId) > 0);

            List<EntityEvent> events = conflictingEvents(contract, type, new Random(42));
            try (KafkaProducer<String, EntityEvent> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), contract.topics().eventSerde().serializer())) {
                for (int i = 0; i < events.size(); i++) {
                    EntityEvent event = events.get(i);
                    producer.send(new ProducerRecord<>(TopicNames.events(type.name()), event.getEntityId(), event));
                    if (i == EVENTS / 2) {
                        producer.flush();
                        awaitStateRecords(bootstrap, type, 5_000);
                        a.process().destroyForcibly().waitFor();
                    }
                }
            }

            Map<String, EntityState> expected = expectedFinalStates(contract, type, events);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(latestVersions(readStates(bootstrap, type))).isEqualTo(versionsOf(expected)));

            Map<String, List<EntityState>> published = readStates(bootstrap, type);
            for (Map.Entry<String, EntityState> entry : expected.entrySet()) {
                List<EntityState> history = published.get(entry.getKey());
                assertThat(history).extracting(EntityState::getVersion).as("each version once, in order, for %s", entry.getKey())
                        .containsExactlyElementsOf(Stream.iterate(1L, v -> v + 1).limit(entry.getValue().getVersion()).toList());
                assertThat(content(history.get(history.size() - 1))).isEqualTo(content(entry.getValue()));
            }

            Instance c = startProcessor("c", work, declaration, appId, bootstrap, "rocksdb");
            awaitHealthy(c);
            List<String> sample = expected.keySet().stream().limit(20).toList();
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                for (String key : sample) {
                    for (Instance asked : List.of(b, c)) {
                        JsonNode answer = queryState(asked, type, key);
                        assertThat(answer.path("version").asLong()).isEqualTo(expected.get(key).getVersion());
                    }
                }
            });
        }
    }

    /** Events from three writers on 5,000 keys, with clocks spread over a minute so they conflict. */
    private static List<EntityEvent> conflictingEvents(ConcordContract contract, EntityType type, Random random) {
        long base = System.currentTimeMillis() - 90_000;
        List<EntityEvent> events = new ArrayList<>(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            String key = "k-" + random.nextInt(KEYS);
            String writer = "writer-" + random.nextInt(3);
            HlcTimestamp clock = new HlcTimestamp(base + random.nextInt(60_000), i);
            int dice = random.nextInt(100);
            GenericRecord customer = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(), Customer.newBuilder()
                    .setName("name-" + i).setEmail("e" + i + "@example.com").setPhone("p" + i).build());
            byte[] payload = contract.payloads().encode(customer);
            UUID id = UUID.randomUUID();
            events.add(dice < 65 ? EntityEvents.upsert(id, type.name(), key, payload, clock, writer, EntityEvents.source("it"))
                    : dice < 95 ? EntityEvents.patch(id, type.name(), key, payload, List.of(dice % 2 == 0 ? "name" : "phone"),
                    clock, writer, EntityEvents.source("it"))
                    : EntityEvents.delete(id, type.name(), key, clock, writer, EntityEvents.source("it")));
        }
        return events;
    }

    /** The pure merge rule applied per key in the order Kafka keeps them: the truth to compare with. */
    private static Map<String, EntityState> expectedFinalStates(ConcordContract contract, EntityType type, List<EntityEvent> events) {
        MergeRule rule = MergeRules.forType(type, contract.payloads());
        Map<String, EntityState> states = new HashMap<>();
        for (EntityEvent event : events) {
            MergeDecision decision = rule.decide(states.get(event.getEntityId()), event, 0);
            if (decision instanceof MergeDecision.Accepted accepted) {
                states.put(event.getEntityId(), accepted.state());
            }
        }
        return states;
    }

    private static Map<String, Object> content(EntityState state) {
        return Map.of("deleted", state.getDeleted(), "clock", HlcTimestamp.of(state.getClock()), "writer", state.getWriter(),
                "lastEventId", state.getLastEventId(), "stamps", new java.util.TreeMap<>(state.getFieldStamps()).toString(),
                "payload", state.getDeleted() ? "none" : hex(state.getPayload()));
    }

    private static String hex(java.nio.ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static Map<String, Long> versionsOf(Map<String, EntityState> states) {
        Map<String, Long> versions = new HashMap<>();
        states.forEach((k, v) -> versions.put(k, v.getVersion()));
        return versions;
    }

    /** How many standby tasks the group's members hold now. */
    private static int standbyTasks(Map<String, Object> kafka, String appId) throws Exception {
        try (Admin admin = Admin.create(kafka)) {
            return admin.describeStreamsGroups(List.of(appId)).all().get().get(appId).members().stream()
                    .flatMap(member -> member.assignment().standbyTasks().stream())
                    .mapToInt(tasks -> tasks.partitions().size()).sum();
        }
    }

    private static Map<String, Long> latestVersions(Map<String, List<EntityState>> published) {
        Map<String, Long> versions = new HashMap<>();
        published.forEach((k, history) -> versions.put(k, history.get(history.size() - 1).getVersion()));
        return versions;
    }

    /**
     * Each key's changes: the state records that decided a write (they carry the decision header). The others are what
     * a decision that changed nothing publishes (the state topic is the store's log): each must repeat the version of
     * the change before it, never go back or ahead of it.
     */
    private static Map<String, List<EntityState>> readStates(String bootstrap, EntityType type) {
        Map<String, List<EntityState>> byKey = new LinkedHashMap<>();
        try (ConcordContract reader = ConcordContract.inMemory(EntityTypes.of(List.of(type))).registerWriterSchemas()) {
            for (ConsumerRecord<byte[], byte[]> record : KafkaTestClients.readAll(bootstrap, TopicNames.state(type.name()))) {
                EntityState state = reader.topics().stateSerde().deserializer().deserialize("", record.value());
                List<EntityState> changes = byKey.computeIfAbsent(new String(record.key()), k -> new ArrayList<>());
                if (record.headers().lastHeader(DecisionHeaders.DECIDED_EVENT) != null) {
                    changes.add(state);
                } else {
                    assertThat(changes).as("a change before the unchanged state of %s", state.getEntityId()).isNotEmpty();
                    assertThat(state.getVersion()).as("the unchanged state of %s", state.getEntityId())
                            .isEqualTo(changes.get(changes.size() - 1).getVersion());
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return byKey;
    }

    private static void awaitStateRecords(String bootstrap, EntityType type, int atLeast) {
        await().atMost(Duration.ofMinutes(2)).until(() -> KafkaTestClients.readAll(bootstrap, TopicNames.state(type.name())).size() >= atLeast);
    }

    private record Instance(String name, Process process, int port) {
    }

    private Instance startProcessor(String name, Path work, Path declaration, String appId, String bootstrap, String stateStore)
            throws IOException {
        int port = freePort();
        Path target = Path.of("target").toAbsolutePath();
        String jar;
        try (Stream<Path> files = Files.list(target)) {
            jar = files.map(Path::toString).filter(f -> f.matches(".*/concord-sync-processor-[^/]*(?<!-tests)\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("package sync-processor first (mvn verify)"));
        }
        String classpath = jar + File.pathSeparator + Files.readString(target.resolve("classpath.txt")).trim();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                "dev.concord.processor.ProcessorApplication")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        builder.environment().putAll(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "PORT", String.valueOf(port),
                "CONCORD_TYPES", declaration.toString(),
                "CONCORD_PROCESSOR_APP_ID", appId,
                "CONCORD_STATE_DIR", work.resolve("state-" + name).toString(),
                "CONCORD_STATE_STORE", stateStore,
                "CONCORD_DEV_API_KEY", KEY));
        Instance instance = new Instance(name, builder.start(), port);
        processes.add(instance.process());
        return instance;
    }

    private static void awaitHealthy(Instance instance) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).until(() -> {
            assertThat(instance.process().isAlive()).as("processor %s alive", instance.name()).isTrue();
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + instance.port() + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    private static JsonNode queryState(Instance instance, EntityType type, String key) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + instance.port() + "/v1/state/" + type.name() + "/" + key)).header("X-Api-Key", KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("state query to %s: %s", instance.name(), response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static final String KEY = "failover-test-key-" + java.util.UUID.randomUUID();

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
