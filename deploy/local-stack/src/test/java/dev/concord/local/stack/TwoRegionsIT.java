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
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * Two regions on real processes (docs/multi-region.md, {@link LocalRegions}): each a whole stack on its own broker,
 * MirrorMaker 2 between them in both directions. Writers in both regions change the same entities at once — whole
 * records, patches of different fields, deletes — and once quiet, every entity agrees across the two regions' state
 * topics and replicas on data, clock, writer and deletion (each region counts its own versions).
 */
class TwoRegionsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> bootstrap = new TreeMap<>();
    private static final Map<String, ConcordContract> contracts = new HashMap<>();
    private static LocalRegions regions;

    @BeforeAll
    static void startTwoRegions() throws Exception {
        AvroTrust.trustConcordPackages();
        Path root = Path.of(System.getProperty("concord.home", "../..")).toAbsolutePath().normalize();
        Path runDir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "regions-run-").toAbsolutePath();
        regions = LocalRegions.start(LocalStackConfig.onFreePorts(root, runDir), 2);
        for (String region : List.of("eu", "us")) {
            bootstrap.put(region, regions.region(region).bootstrapServers());
            contracts.put(region, ConcordContract.connect(Map.of("bootstrap.servers", bootstrap.get(region)),
                    EntityTypes.load(regions.declaration().toString())).registerWriterSchemas());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (ConcordContract contract : contracts.values()) {
            contract.close();
        }
        if (regions != null) {
            regions.close();
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
            // and each region's replica holds what its state topic says
            Map<String, String> euReplica = replica("eu", ids);
            assertThat(euReplica).hasSize(entities);
            assertThat(replica("us", ids)).isEqualTo(euReplica);
        });
        System.out.printf("two regions converged on %d entities %.1f s after the last write%n", entities,
                (System.nanoTime() - healedAt) / 1e9);
        // Each processor measures how late the other region's events reach it.
        for (String region : List.of("eu", "us")) {
            String other = region.equals("eu") ? "us" : "eu";
            var metrics = HTTP.send(HttpRequest.newBuilder(regions.region(region).processorUrl().resolve("/prometheus"))
                    .header("X-Api-Key", regions.region(region).devApiKey()).build(), HttpResponse.BodyHandlers.ofString()).body();
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
        regions.stopMirror(); // the link between the regions is down; both keep taking writes
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

        regions.startMirror("mirror-healed");
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

    /** Each entity as the region's replica serves it (deleted ones too): clock, writer, deletion and data. */
    private static Map<String, String> replica(String region, List<String> ids) throws Exception {
        LocalStack stack = regions.region(region);
        Map<String, String> rows = new TreeMap<>();
        String after = null;
        do {
            String query = "/v1/entities/customer?deleted=true&limit=1000" + (after == null ? ""
                    : "&after=" + java.net.URLEncoder.encode(after, StandardCharsets.UTF_8));
            JsonNode page = JSON.readTree(HTTP.send(HttpRequest.newBuilder(stack.consumerUrl().resolve(query))
                    .header("X-Api-Key", stack.devApiKey()).build(), HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode entity : page.path("entities")) {
                if (ids.contains(entity.path("id").asText())) {
                    rows.put(entity.path("id").asText(), entity.path("clock") + " " + entity.path("writer").asText() + " deleted="
                            + entity.path("deleted").asBoolean() + " " + entity.path("data"));
                }
            }
            after = page.path("next").isNull() ? null : page.path("next").asText();
        } while (after != null);
        return rows;
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

}
