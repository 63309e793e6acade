package dev.concord.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.topics.TopicProvisioner;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.local.kafka.EmbeddedKafkaBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * sync-processor as the production overlay deploys it, against a broker that is secured like the
 * Strimzi cluster: a SASL_SSL listener with SCRAM-SHA-512 (certificates and users made during the test),
 * an authorizer, and exactly the ACLs of the rendered KafkaUser. The service gets the environment its
 * StatefulSet gives it (ConfigMaps, the KafkaUser and cluster-CA Secrets, the pod name), resolved from
 * the rendered manifest, with only the bootstrap address and the HTTP port replaced.
 *
 * <p>Shows: the service connects with its credentials, registers its schemas, joins its group as a
 * static member named after the pod, and decides an event (transactional writes under its ACLs); it is
 * refused with a wrong password, and no client gets past the listener without SASL. The producer-service
 * and consumer-service users, with the client settings of their own manifests, allow what those services
 * do with Kafka (provision, register or read schemas, publish; consume the state topics in the replica's
 * group) and refuse a neighbour's topic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecureKafkaConnectionTest {

    private static final String POD = "sync-processor-0";
    private static final String BOOTSTRAP_IN_MANIFEST = "concord-kafka-kafka-bootstrap:9093";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Path dir;
    private EmbeddedKafkaBroker broker;
    private int saslSslPort;
    private TestCertificates certificates;
    private Admin superuser;
    private Rendered production;
    private String kafkaUser;
    private final String password = UUID.randomUUID().toString();
    /** Every service's KafkaUser and the password the test gave it. */
    private final Map<String, String> passwords = new HashMap<>();

    @BeforeAll
    void startBrokerWithSaslSslAndTheServicesUserAndAcls() throws Exception {
        dir = Files.createTempDirectory("concord-sasl-ssl");
        certificates = TestCertificates.create(dir);
        int plaintextPort = freePort();
        int controllerPort = freePort();
        saslSslPort = freePort();
        broker = EmbeddedKafkaBroker.builder().port(plaintextPort)
                // PLAINTEXT stays for the controller and for this test's setup (as the superuser ANONYMOUS);
                // the service only ever talks to SASL_SSL.
                .brokerProperty("listeners", "PLAINTEXT://localhost:" + plaintextPort + ",CONTROLLER://localhost:" + controllerPort
                        + ",SASL_SSL://localhost:" + saslSslPort)
                .brokerProperty("advertised.listeners", "PLAINTEXT://localhost:" + plaintextPort + ",SASL_SSL://localhost:" + saslSslPort)
                .brokerProperty("controller.quorum.bootstrap.servers", "localhost:" + controllerPort)
                .brokerProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL")
                .brokerProperty("sasl.enabled.mechanisms", "SCRAM-SHA-512")
                .brokerProperty("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .brokerProperty("ssl.keystore.location", certificates.brokerKeystore().toString())
                .brokerProperty("ssl.keystore.type", "PKCS12")
                .brokerProperty("ssl.keystore.password", certificates.password())
                .brokerProperty("ssl.key.password", certificates.password())
                .brokerProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .brokerProperty("super.users", "User:ANONYMOUS")
                .start();
        superuser = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
        // The topics exist before any service starts, as Strimzi's KafkaTopics make them: the manifests
        // set CONCORD_PROVISION_TOPICS=false and no service holds a Create ACL for them.
        Map<String, Object> asSuperuser = Map.of("bootstrap.servers", broker.bootstrapServers());
        TopicProvisioner.ensureTopics(asSuperuser, ConcordServices.declaredTypes());
        TopicProvisioner.ensureCatalogTopic(asSuperuser, TopicNames.SCHEMAS);

        production = Kustomize.overlay("production");
        kafkaUser = RenderedOverlaysTest.kafkaUserOf(production, ConcordServices.PROCESSOR);
        for (String service : ConcordServices.ALL) {
            String user = RenderedOverlaysTest.kafkaUserOf(production, service);
            passwords.put(user, service.equals(ConcordServices.PROCESSOR) ? password : UUID.randomUUID().toString());
            superuser.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), passwords.get(user)))).all().get(30, TimeUnit.SECONDS);
            List<AclBinding> acls = aclBindings(user, KafkaAcls.of(production.one("KafkaUser", user)));
            superuser.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            AclBindingFilter ofUser = new AclBindingFilter(ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter("User:" + user, null, AclOperation.ANY, AclPermissionType.ANY));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> superuser.describeAcls(ofUser).values().get().size() == acls.size());
        }
    }

    /** What the service's manifest says about creating topics (CONCORD_PROVISION_TOPICS). */
    private boolean provisionsTopics(String service) throws IOException {
        return Boolean.parseBoolean(serviceEnvironment(service, service + "-0", Map.of())
                .getOrDefault(ConcordServices.PROVISION_TOPICS, "true"));
    }

    @AfterAll
    void stopBroker() {
        if (superuser != null) {
            superuser.close(Duration.ofSeconds(5));
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void syncProcessorConnectsWithItsCredentialsAndWorksWithinItsAcls() throws Exception {
        Map<String, String> env = podEnvironment(POD, password);
        // Its watch for transactions left hanging looks every second here (30 s by default).
        env.put("CONCORD_HANGING_TRANSACTIONS_CHECK_INTERVAL", "1s");
        List<String> watchLines = new CopyOnWriteArrayList<>();
        Logger watchLog = (Logger) LoggerFactory.getLogger("dev.concord.processor.runtime.HangingTransactionsWatch");
        AppenderBase<ILoggingEvent> watchAppender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent line) {
                watchLines.add(line.getFormattedMessage());
            }
        };
        watchAppender.start();
        watchLog.addAppender(watchAppender);
        try (ApplicationContext service = startService(env)) {
            URI base = service.getBean(EmbeddedServer.class).getURI();
            // What the kubelet's readiness probe asks: ready once Kafka Streams runs.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> get(base.resolve("/health/readiness")).statusCode() == 200);

            // The manifest's CONCORD_KAFKA_* variables became the service's Kafka client settings.
            Map<String, Object> clientConfig = service.getBean(ConcordContract.class).kafkaClientConfig();
            assertThat(clientConfig).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("ssl.truststore.type", "PKCS12").containsKeys("sasl.jaas.config", "ssl.truststore.location", "ssl.truststore.password");

            // Static membership: the group member is named after the pod (Kafka Streams appends the thread).
            String applicationId = RenderedOverlaysTest.applicationId(production);
            ConsumerGroupDescription group = superuser.describeConsumerGroups(List.of(applicationId)).all().get().get(applicationId);
            assertThat(group.members()).extracting(MemberDescription::groupInstanceId)
                    .allSatisfy(id -> assertThat(id).hasValueSatisfying(v -> assertThat(v).startsWith(POD + "-")));
            assertThat(group.members()).isNotEmpty();

            // It reads events and writes state transactionally: everything its ACLs must allow.
            EntityTypes types = EntityTypes.load(env.get("CONCORD_TYPES"));
            EntityType customer = types.require("customer");
            try (ConcordContract writer = ConcordContract.connect(Map.of("bootstrap.servers", broker.bootstrapServers()), types)) {
                GenericRecord ada = new GenericData.Record(customer.schema());
                ada.put("name", "Ada");
                ada.put("email", "ada@example.com");
                ada.put("tier", new GenericData.EnumSymbol(customer.schema().getField("tier").schema(), "GOLD"));
                ada.put("marketingOptIn", false);
                EntityEvent event = EntityEvents.upsert(UUID.randomUUID(), "customer", "c-1", writer.payloads().encode(ada),
                        new HlcTimestamp(System.currentTimeMillis(), 0), "test-writer", EntityEvents.source("k8s-tests"));
                try (KafkaProducer<String, EntityEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers()),
                        new StringSerializer(), writer.topics().eventSerde().serializer())) {
                    producer.send(new ProducerRecord<>(TopicNames.events("customer"), "c-1", event)).get(30, TimeUnit.SECONDS);
                }
            }
            assertThat(awaitKey(TopicNames.state("customer"), "c-1")).as("the decided state of c-1").isTrue();

            // Its ACLs are enforced: it may not write the events topic (producer-service's).
            try (KafkaProducer<String, String> intruder = new KafkaProducer<>(kafkaClientConfig(env), new StringSerializer(), new StringSerializer())) {
                assertThatThrownBy(() -> intruder.send(new ProducerRecord<>(TopicNames.events("customer"), "c-2", "forged")).get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
            }

            // The hanging-transaction watch looks at every topic the processor writes under these ACLs; the group
            // offsets topic is beyond them, and it says so once rather than failing its looks (docs/operations.md).
            await().atMost(Duration.ofSeconds(30)).until(() -> watchLines.stream()
                    .anyMatch(line -> line.startsWith("Could not look at the open transactions of [__consumer_offsets (not allowed)]:")));
            assertThat(watchLines).noneMatch(line -> line.startsWith("Could not look for hanging transactions"));
        } finally {
            watchLog.detachAppender(watchAppender);
        }
    }

    @Test
    void producerAndConsumerServiceUsersAllowWhatTheServicesDoAndNotMore() throws Exception {
        // What the services do with Kafka at start and at work, with the contract's own code and the
        // client settings their manifests give them: the services themselves are not started here.
        Map<String, Object> producerKafka = kafkaClientConfig(serviceEnvironment(ConcordServices.PRODUCER, "producer-service-7d9f-abcde", Map.of()));
        Map<String, String> consumerEnv = serviceEnvironment(ConcordServices.CONSUMER, "consumer-service-5c8b-fghij", Map.of());
        Map<String, Object> consumerKafka = kafkaClientConfig(consumerEnv);
        EntityTypes types = ConcordServices.declaredTypes();
        EntityType customer = types.require("customer");

        // producer-service: registers its writer schemas, publishes with an idempotent producer.
        try (ConcordContract contract = ConcordContract.connect(producerKafka, types, provisionsTopics(ConcordServices.PRODUCER))
                .registerWriterSchemas()) {
            Map<String, Object> config = new HashMap<>(producerKafka);
            config.put("acks", "all");
            config.put("enable.idempotence", true);
            try (KafkaProducer<String, EntityEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                    contract.topics().eventSerde().serializer())) {
                producer.send(new ProducerRecord<>(TopicNames.events("customer"), "c-9", upsert(contract, customer, "c-9")))
                        .get(30, TimeUnit.SECONDS);
                // ...and may not write what only sync-processor writes.
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TopicNames.state("customer"), "c-9", upsert(contract, customer, "c-9")))
                        .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
            }
        }

        // consumer-service: reads the catalog, consumes the state topics in its group and commits.
        String group = consumerEnv.get("CONCORD_REPLICA_GROUP");
        try (ConcordContract contract = ConcordContract.connect(consumerKafka, types, provisionsTopics(ConcordServices.CONSUMER))) {
            assertThat(contract.catalog()).isNotNull();
            Map<String, Object> config = new HashMap<>(consumerKafka);
            config.put("group.id", group);
            config.put("isolation.level", "read_committed");
            config.put("enable.auto.commit", false);
            config.put("auto.offset.reset", "earliest");
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(ConcordServices.stateTopics(types.all()));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    consumer.poll(Duration.ofMillis(200));
                    return !consumer.assignment().isEmpty();
                });
                consumer.commitSync(Duration.ofSeconds(30));
            }
            // ...and may not read the writers' events.
            Map<String, Object> snooping = new HashMap<>(consumerKafka);
            snooping.put("group.id", group);
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(snooping, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.assign(List.of(new TopicPartition(TopicNames.events("customer"), 0)));
                assertThatThrownBy(() -> {
                    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < deadline; ) {
                        consumer.poll(Duration.ofMillis(200));
                    }
                }).isInstanceOf(TopicAuthorizationException.class);
            }
        }
    }

    private static EntityEvent upsert(ConcordContract contract, EntityType customer, String id) {
        GenericRecord record = new GenericData.Record(customer.schema());
        record.put("name", "Ada");
        record.put("email", "ada@example.com");
        record.put("tier", new GenericData.EnumSymbol(customer.schema().getField("tier").schema(), "GOLD"));
        record.put("marketingOptIn", false);
        return EntityEvents.upsert(UUID.randomUUID(), customer.name(), id, contract.payloads().encode(record),
                new HlcTimestamp(System.currentTimeMillis(), 0), "test-writer", EntityEvents.source("k8s-tests"));
    }

    @Test
    void syncProcessorIsRefusedWithAWrongPassword() throws Exception {
        Map<String, String> env = podEnvironment("sync-processor-1", "not-" + password);
        assertThatThrownBy(() -> startService(env).close())
                .satisfies(error -> assertThat(causes(error)).anyMatch(SaslAuthenticationException.class::isInstance));
    }

    @Test
    void theListenerServesNoClientWithoutSasl() throws Exception {
        // TLS alone (the CA trusted, no SCRAM login): the broker waits for a SASL handshake and serves nothing.
        Map<String, Object> config = new HashMap<>(kafkaClientConfig(podEnvironment("sync-processor-2", password)));
        config.put("security.protocol", "SSL");
        config.remove("sasl.mechanism");
        config.remove("sasl.jaas.config");
        config.put("default.api.timeout.ms", 3000);
        config.put("request.timeout.ms", 1500);
        try (Admin anonymous = Admin.create(config)) {
            assertThatThrownBy(() -> anonymous.describeTopics(List.of(TopicNames.SCHEMAS)).allTopicNames().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
        }
    }

    /** The StatefulSet's container environment for pod {@code podName}, with Strimzi's Secrets made here. */
    private Map<String, String> podEnvironment(String podName, String passwordInSecret) throws IOException {
        return serviceEnvironment(ConcordServices.PROCESSOR, podName, Map.of(kafkaUser, passwordInSecret));
    }

    /**
     * A service's container environment, resolved from the production overlay, with the Secrets Strimzi
     * (and the operator) would have made: the cluster CA, each KafkaUser's password and JAAS configuration.
     */
    private Map<String, String> serviceEnvironment(String service, String podName, Map<String, String> passwordOverrides) throws IOException {
        Map<String, Map<String, byte[]>> secrets = new HashMap<>();
        secrets.put(Rendered.name(production.all("Kafka").get(0)) + "-cluster-ca-cert", Map.of(
                "ca.p12", certificates.truststoreBytes(),
                "ca.password", certificates.password().getBytes(StandardCharsets.UTF_8),
                "ca.crt", Files.readAllBytes(certificates.caCertificate())));
        passwords.forEach((user, pw) -> {
            String secret = passwordOverrides.getOrDefault(user, pw);
            secrets.put(user, Map.of(
                    "password", secret.getBytes(StandardCharsets.UTF_8),
                    // Strimzi's format for the user Secret's JAAS configuration.
                    "sasl.jaas.config", ("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                            + "\" password=\"" + secret + "\";").getBytes(StandardCharsets.UTF_8)));
        });
        // The operator's Secrets; nothing here reaches Kafka.
        secrets.put("concord-api-keys", Map.of("api-keys.json", "[]".getBytes(StandardCharsets.UTF_8)));
        secrets.put("consumer-service-db", Map.of("jdbc-url", "jdbc:postgresql://localhost:1/unused".getBytes(StandardCharsets.UTF_8),
                "username", "u".getBytes(StandardCharsets.UTF_8), "password", "p".getBytes(StandardCharsets.UTF_8)));
        Map<String, String> env = new HashMap<>(PodEnvironment.of(production, production.workloadOf(service),
                service, podName, secrets, Files.createDirectories(dir.resolve(podName))));
        assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(BOOTSTRAP_IN_MANIFEST);
        env.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:" + saslSslPort);
        env.put("PORT", String.valueOf(freePort()));
        return env;
    }

    /** Starts the real service with {@code env} as its environment variables (Micronaut's environment convention). */
    private static ApplicationContext startService(Map<String, String> env) {
        Map<String, Object> variables = new HashMap<>(env);
        return ApplicationContext.builder()
                .propertySources(PropertySource.of("pod-environment", variables, PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE))
                .run(EmbeddedServer.class).getApplicationContext();
    }

    /** The Kafka client settings the services build from CONCORD_KAFKA_* (plus the bootstrap address). */
    private static Map<String, Object> kafkaClientConfig(Map<String, String> env) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", env.get("KAFKA_BOOTSTRAP_SERVERS"));
        env.forEach((name, value) -> {
            if (name.startsWith("CONCORD_KAFKA_")) {
                config.put(ConcordServices.propertyOf(name, "CONCORD_KAFKA_"), value);
            }
        });
        return config;
    }

    /** Waits until a committed record with this key is on the topic. */
    private boolean awaitKey(String topic, String key) {
        Map<String, Object> config = Map.of("bootstrap.servers", broker.bootstrapServers(), "isolation.level", "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<String> keys = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    keys.add(record.key());
                }
                return keys.contains(key);
            });
            return true;
        }
    }

    private static List<AclBinding> aclBindings(String user, Set<KafkaAcls.Acl> acls) {
        List<AclBinding> bindings = new ArrayList<>();
        for (KafkaAcls.Acl acl : acls) {
            ResourceType type = switch (acl.type()) {
                case "topic" -> ResourceType.TOPIC;
                case "group" -> ResourceType.GROUP;
                case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
                case "cluster" -> ResourceType.CLUSTER;
                default -> throw new AssertionError("unknown resource type " + acl.type());
            };
            PatternType pattern = "prefix".equals(acl.pattern()) ? PatternType.PREFIXED : PatternType.LITERAL;
            AclOperation operation = AclOperation.valueOf(acl.operation().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
            bindings.add(new AclBinding(new ResourcePattern(type, acl.name(), pattern),
                    new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
        }
        return bindings;
    }

    private static List<Throwable> causes(Throwable error) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = error; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
