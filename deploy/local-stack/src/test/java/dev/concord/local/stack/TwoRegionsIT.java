package dev.concord.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.contract.AvroTrust;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.domain.Customer;
import dev.concord.testsupport.KafkaTestClients;
import java.net.URI;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two regions on real processes (docs/multi-region.md): a broker and a sync-processor each, MirrorMaker 2 between them
 * in both directions. Writers in both regions change the same entities at once — whole records, patches of different
 * fields, deletes — and once quiet, every entity's state agrees across the two regions' state topics on data, clock,
 * writer and deletion (each region counts its own versions).
 */
class TwoRegionsIT {

    private static final String KAFKA_LINE = "KAFKA_BOOTSTRAP_SERVERS=";
    private static final List<ManagedProcess> processes = new ArrayList<>();
    private static final Map<String, String> bootstrap = new TreeMap<>();
    private static final Map<String, ConcordContract> contracts = new HashMap<>();
    private static Path root;
    private static Path runDir;
    private static ManagedProcess mirror;
    private static String types;
    private static final Map<String, URI> processorUrls = new HashMap<>();
    private static final String DEV_KEY = "dev-" + UUID.randomUUID();

    @BeforeAll
    static void startTwoRegions() throws Exception {
        AvroTrust.trustConcordPackages();
        root = Path.of(System.getProperty("concord.home", "../..")).toAbsolutePath().normalize();
        runDir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "regions-run-").toAbsolutePath();
        // The sample types, with the optimistic one homed in eu: across regions it must have a home.
        Path declaration = runDir.resolve("concord-types.json");
        Files.writeString(declaration, """
                {"types": [
                  {"name": "customer", "schema": "classpath:avro/domain/customer.avsc", "policy": "field-merge", "partitions": 6},
                  {"name": "order", "schema": "classpath:avro/domain/order.avsc", "policy": "optimistic", "partitions": 6,
                   "poison": "park", "home": "eu"}
                ]}""");
        types = declaration.toString();
        for (String region : List.of("eu", "us")) {
            ManagedProcess kafka = launch(ConcordModule.KAFKA, region, Map.of(), line -> line.startsWith(KAFKA_LINE),
                    "--data-dir", runDir.resolve(region).resolve("kafka").toString(), "--port", "0");
            bootstrap.put(region, kafka.awaitedLine().get(120, TimeUnit.SECONDS).substring(KAFKA_LINE.length()).trim());
        }
        for (String region : bootstrap.keySet()) {
            String other = region.equals("eu") ? "us" : "eu";
            int port = freePort();
            ManagedProcess processor = launch(ConcordModule.SYNC_PROCESSOR, region, Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", bootstrap.get(region),
                    "PORT", String.valueOf(port),
                    "CONCORD_DEV_API_KEY", DEV_KEY,
                    "CONCORD_STATE_DIR", runDir.resolve(region).resolve("sync-processor").toString(),
                    "CONCORD_TYPES", types,
                    "CONCORD_REGION", region,
                    "CONCORD_MIRRORED_FROM", other), line -> false);
            processorUrls.put(region, URI.create("http://localhost:" + port));
            HealthProbe.await(processor, processorUrls.get(region).resolve("/health"), Duration.ofMinutes(3));
            contracts.put(region, ConcordContract.connect(Map.of("bootstrap.servers", bootstrap.get(region)),
                    EntityTypes.load(types)).registerWriterSchemas());
        }
        mirror = startMirror("mirror");
    }

    private static ManagedProcess startMirror(String name) {
        return launch(ConcordModule.MIRROR, name, Map.of(), line -> false, runDir.resolve("mirror").toString(),
                "eu=" + bootstrap.get("eu"), "us=" + bootstrap.get("us"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (ConcordContract contract : contracts.values()) {
            contract.close();
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }

    @Test
    void shouldConvergeOnEveryEntityWhenBothRegionsWriteTheSameEntitiesAtOnce() throws Exception {
        int entities = 40;
        Random random = new Random(17);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < entities; i++) {
            ids.add("both-" + i + "-" + UUID.randomUUID());
        }
        long base = System.currentTimeMillis();
        Map<String, List<EntityEvent>> writes = Map.of("eu", new ArrayList<>(), "us", new ArrayList<>());
        for (String id : ids) {
            for (String region : List.of("eu", "us")) {
                for (int n = 0; n < 3; n++) {
                    // Clocks close together and sometimes equal across regions (the writer breaks the tie); one writer never
                    // reads the same clock twice (a hybrid logical clock's promise), hence the logical part n.
                    HlcTimestamp clock = new HlcTimestamp(base + random.nextInt(20), n);
                    String writer = region + "-writer";
                    writes.get(region).add(switch (random.nextInt(5)) {
                        case 0 -> EntityEvents.delete(UUID.randomUUID(), "customer", id, clock, writer, EntityEvents.source(writer));
                        case 1, 2 -> patch(region, id, clock, writer, random.nextBoolean() ? "name" : "phone", region + "-" + n);
                        default -> upsert(region, id, clock, writer, region + "-" + n);
                    });
                }
            }
        }
        Thread eu = new Thread(() -> publish("eu", writes.get("eu")));
        Thread us = new Thread(() -> publish("us", writes.get("us")));
        eu.start();
        us.start();
        eu.join();
        us.join();

        long healedAt = System.nanoTime();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, String> euStates = latestStates("eu", ids);
            Map<String, String> usStates = latestStates("us", ids);
            assertThat(euStates).hasSize(entities);
            assertThat(usStates).isEqualTo(euStates);
        });
        System.out.printf("two regions converged on %d entities %.1f s after the last write%n", entities,
                (System.nanoTime() - healedAt) / 1e9);
        // Each processor measures how late the other region's events reach it.
        for (String region : List.of("eu", "us")) {
            String other = region.equals("eu") ? "us" : "eu";
            var metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    processorUrls.get(region).resolve("/prometheus")).header("X-Api-Key", DEV_KEY).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("concord_sync_mirrored_delay_seconds{from=\"" + other + "\"")
                    .contains("concord_sync_mirrored_newest_age_seconds{from=\"" + other + "\"");
        }
    }

    @Test
    void shouldLoseNothingWhileTheLinkIsDownAndConvergeOnceItHeals() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add("split-" + i + "-" + UUID.randomUUID());
        }
        mirror.close(); // the link between the regions is down; both keep taking writes
        long base = System.currentTimeMillis();
        List<EntityEvent> euWrites = new ArrayList<>();
        List<EntityEvent> usWrites = new ArrayList<>();
        for (String id : ids) {
            euWrites.add(patch("eu", id, new HlcTimestamp(base, 0), "eu-writer", "name", "from eu"));
            usWrites.add(patch("us", id, new HlcTimestamp(base + 1, 0), "us-writer", "phone", "from us"));
        }
        publish("eu", euWrites);
        publish("us", usWrites);
        await().atMost(Duration.ofMinutes(1)).until(() -> latestStates("eu", ids).size() == ids.size()
                && latestStates("us", ids).size() == ids.size());
        assertThat(latestStates("eu", ids)).as("apart, each region has only its own writes").isNotEqualTo(latestStates("us", ids));

        mirror = startMirror("mirror-healed");
        long healedAt = System.nanoTime();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(latestStates("us", ids)).isEqualTo(latestStates("eu", ids)));
        // Both regions hold both writes: different fields, so under field-merge neither lost.
        String any = latestStates("eu", ids).get(ids.get(0));
        assertThat(any).contains("from eu").contains("from us");
        System.out.printf("two regions converged on %d entities %.1f s after the link healed (mirror restarted)%n", ids.size(),
                (System.nanoTime() - healedAt) / 1e9);
    }

    @Test
    void shouldApplyAnOptimisticTypesWritesFromItsHomeRegionOnlyInBothRegions() throws Exception {
        String homed = "o-eu-" + UUID.randomUUID();
        String elsewhere = "o-us-" + UUID.randomUUID();
        long now = System.currentTimeMillis();
        publish("eu", List.of(order("eu", homed, new HlcTimestamp(now, 0), "eu-writer")));
        publish("us", List.of(order("us", elsewhere, new HlcTimestamp(now, 0), "us-writer")));

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String region : List.of("eu", "us")) {
                Map<String, Long> versions = orderVersions(region);
                assertThat(versions).as(region).containsEntry(homed, 1L).doesNotContainKey(elsewhere);
                assertThat(refusedOrders(region)).as(region).contains(elsewhere);
            }
        });
    }

    private static EntityEvent order(String region, String id, HlcTimestamp clock, String writer) {
        ConcordContract contract = contracts.get(region);
        GenericRecord order = new GenericData.Record(contract.types().require("order").schema());
        order.put("customerId", "c-1");
        order.put("status", new GenericData.EnumSymbol(order.getSchema().getField("status").schema(), "PAID"));
        order.put("currency", "EUR");
        order.put("totalCents", 1L);
        order.put("lines", List.of());
        return EntityEvents.upsert(UUID.randomUUID(), "order", id, contract.payloads().encode(order), clock, writer,
                EntityEvents.source(writer));
    }

    private static Map<String, Long> orderVersions(String region) {
        ConcordContract contract = contracts.get(region);
        var topic = contract.topics().state(contract.types().require("order"));
        Map<String, Long> versions = new HashMap<>();
        for (var record : KafkaTestClients.readAll(bootstrap.get(region), topic.name())) {
            if (record.value() != null) {
                versions.merge(new String(record.key(), StandardCharsets.UTF_8),
                        topic.valueSerde().deserializer().deserialize(topic.name(), record.value()).getVersion(), Math::max);
            }
        }
        return versions;
    }

    private static List<String> refusedOrders(String region) {
        ConcordContract contract = contracts.get(region);
        return KafkaTestClients.readAll(bootstrap.get(region), "concord.rejected").stream()
                .map(record -> contract.topics().rejected().valueSerde().deserializer().deserialize("concord.rejected", record.value()))
                .filter(rejected -> rejected.getReason() == dev.concord.contract.avro.RejectionReason.NOT_HOME_REGION)
                .map(rejected -> rejected.getEvent().getEntityId()).toList();
    }

    private static void publish(String region, List<EntityEvent> events) {
        ConcordContract contract = contracts.get(region);
        var topic = contract.topics().events(contract.types().require(events.get(0).getEntityType()));
        try (KafkaProducer<String, EntityEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get(region), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), topic.valueSerde().serializer())) {
            for (EntityEvent event : events) {
                producer.send(new ProducerRecord<>(topic.name(), event.getEntityId(), event));
            }
            producer.flush();
        }
    }

    /** Each entity's newest state in a region's state topic, as what must agree: data, clock, writer, deletion. */
    private static Map<String, String> latestStates(String region, List<String> ids) {
        ConcordContract contract = contracts.get(region);
        var topic = contract.topics().state(contract.types().require("customer"));
        Map<String, EntityState> newest = new HashMap<>();
        for (var record : KafkaTestClients.readAll(bootstrap.get(region), topic.name())) {
            String id = new String(record.key(), StandardCharsets.UTF_8);
            if (record.value() != null && ids.contains(id)) {
                EntityState state = topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
                EntityState held = newest.get(id);
                if (held == null || state.getVersion() > held.getVersion()) {
                    newest.put(id, state);
                }
            }
        }
        Map<String, String> comparable = new TreeMap<>();
        newest.forEach((id, state) -> comparable.put(id, state.getClock() + " " + state.getWriter() + " deleted=" + state.getDeleted()
                + " " + (state.getPayload() == null ? "-" : contract.payloads().decode(state.getPayload(),
                contract.types().require("customer").schema()))));
        return comparable;
    }

    private static EntityEvent upsert(String region, String id, HlcTimestamp clock, String writer, String name) {
        return EntityEvents.upsert(UUID.randomUUID(), "customer", id, payload(region, name, null), clock, writer, EntityEvents.source(writer));
    }

    private static EntityEvent patch(String region, String id, HlcTimestamp clock, String writer, String field, String value) {
        byte[] payload = "name".equals(field) ? payload(region, value, null) : payload(region, "", value);
        return EntityEvents.patch(UUID.randomUUID(), "customer", id, payload, List.of(field), clock, writer, EntityEvents.source(writer));
    }

    private static byte[] payload(String region, String name, String phone) {
        Customer customer = Customer.newBuilder().setName(name).setEmail(name + "@example.com").setPhone(phone).build();
        GenericRecord record = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(), customer);
        return contracts.get(region).payloads().encode(record);
    }

    private static ManagedProcess launch(ConcordModule module, String region, Map<String, String> env,
                                         java.util.function.Predicate<String> awaited, String... args) {
        ManagedProcess process = module.launch(root, LocalStackConfig.DEFAULT_JAVA_OPTIONS, env,
                runDir.resolve("logs").resolve(module.processName() + "-" + region + ".log"), awaited, args);
        processes.add(process);
        return process;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
