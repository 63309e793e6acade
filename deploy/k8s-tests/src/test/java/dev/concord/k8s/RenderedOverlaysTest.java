package dev.concord.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.k8s.ContainerEnv.Var;
import dev.concord.k8s.KafkaAcls.Acl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders every overlay the way {@code kubectl apply -k} would, without a cluster, and checks what the
 * issue asks of the manifests: secure, probed, bounded containers on pinned images; every topic the
 * services use declared with the right cleanup policy; no environment variable a service does not read;
 * ACLs that cover what each service uses and nothing more. What the services use comes from the sources
 * (application.yml, the contract's type declaration and topic names), not from the manifests.
 */
class RenderedOverlaysTest {

    private static final Set<String> SERVICES = Set.copyOf(ConcordServices.ALL);
    private static final String KAFKA_USER_SECRET_KEY = "sasl.jaas.config";

    // --- containers -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyContainerHasRequestsLimitsProbesAndAPinnedImage(String overlay) {
        Rendered rendered = Kustomize.overlay(overlay);
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> workload : rendered.workloads()) {
            for (Map<String, Object> c : Rendered.containers(workload)) {
                String where = Rendered.kind(workload) + "/" + Rendered.name(workload) + " container " + Y.str(c, "name");
                for (String bound : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        if (Y.str(c, "resources", bound, resource) == null) {
                            problems.add(where + ": no " + bound + "." + resource);
                        }
                    }
                }
                for (String probe : List.of("livenessProbe", "readinessProbe")) {
                    if (Y.get(c, probe) == null) {
                        problems.add(where + ": no " + probe);
                    }
                }
                String image = Y.str(c, "image");
                if (!isPinned(image)) {
                    problems.add(where + ": image '" + image + "' is not pinned to a tag or digest (or is :latest)");
                }
            }
        }
        assertThat(rendered.workloads()).as("workloads in %s", overlay).hasSizeGreaterThanOrEqualTo(3);
        assertThat(problems).as("overlay %s", overlay).isEmpty();
    }

    static boolean isPinned(String image) {
        if (image == null) {
            return false;
        }
        if (image.contains("@sha256:")) {
            return true;
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return colon > slash && !image.substring(colon + 1).isBlank() && !image.endsWith(":latest");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyContainerRunsAsNonRootOnAReadOnlyRootFilesystemWithoutPrivilegeEscalation(String overlay) {
        Rendered rendered = Kustomize.overlay(overlay);
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> workload : rendered.workloads()) {
            Map<String, Object> pod = Rendered.podSpec(workload);
            for (Map<String, Object> c : Rendered.containers(workload)) {
                String where = Rendered.name(workload) + "/" + Y.str(c, "name");
                String nonRoot = Y.str(c, "securityContext", "runAsNonRoot") != null
                        ? Y.str(c, "securityContext", "runAsNonRoot") : Y.str(pod, "securityContext", "runAsNonRoot");
                if (!"true".equals(nonRoot)) {
                    problems.add(where + ": runAsNonRoot is not true");
                }
                if (!"true".equals(Y.str(c, "securityContext", "readOnlyRootFilesystem"))) {
                    problems.add(where + ": readOnlyRootFilesystem is not true");
                }
                if (!"false".equals(Y.str(c, "securityContext", "allowPrivilegeEscalation"))) {
                    problems.add(where + ": allowPrivilegeEscalation is not false");
                }
                if (!Y.list(c, "securityContext", "capabilities", "drop").contains("ALL")) {
                    problems.add(where + ": capabilities are not all dropped");
                }
                // The JVM (and RocksDB, Netty) unpack native code to /tmp: with a read-only root it must be a volume.
                String tmpVolume = Y.list(c, "volumeMounts").stream().filter(m -> "/tmp".equals(Y.str(m, "mountPath")))
                        .map(m -> Y.str(m, "name")).findFirst().orElse(null);
                boolean emptyDir = Y.list(pod, "volumes").stream()
                        .anyMatch(v -> Y.str(v, "name").equals(tmpVolume) && Y.get(v, "emptyDir") != null);
                if (!emptyDir) {
                    problems.add(where + ": /tmp is not an emptyDir volume");
                }
            }
        }
        assertThat(problems).as("overlay %s", overlay).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void probesAskTheServicesHealthEndpointsOnTheirHttpPort(String overlay) {
        Rendered rendered = Kustomize.overlay(overlay);
        for (String service : ConcordServices.ALL) {
            Map<String, Object> c = rendered.container(service);
            Set<String> ports = new HashSet<>();
            Y.list(c, "ports").forEach(p -> ports.add(Y.str(p, "name")));
            for (String[] probe : new String[][]{{"livenessProbe", "/health/liveness"}, {"readinessProbe", "/health/readiness"},
                    {"startupProbe", "/health/liveness"}}) {
                assertThat(Y.str(c, probe[0], "httpGet", "path")).as("%s %s path in %s", service, probe[0], overlay).isEqualTo(probe[1]);
                assertThat(ports).as("%s %s port in %s", service, probe[0], overlay).contains(Y.str(c, probe[0], "httpGet", "port"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyWorkloadHasItsServiceAccountDisruptionBudgetAndNetworkPolicy(String overlay) {
        Rendered rendered = Kustomize.overlay(overlay);
        for (Map<String, Object> workload : rendered.workloads()) {
            String name = Rendered.name(workload);
            Map<String, Object> pod = Rendered.podSpec(workload);
            Map<String, Object> podLabels = Y.map(workload, "spec", "template", "metadata", "labels");
            assertThat(rendered.find("ServiceAccount", Y.str(pod, "serviceAccountName")))
                    .as("%s: its service account in %s", name, overlay).isPresent();
            assertThat(Y.str(pod, "automountServiceAccountToken")).as("%s: no API token mounted", name).isEqualTo("false");
            assertThat(rendered.all("PodDisruptionBudget")).as("%s: a PodDisruptionBudget selecting it", name)
                    .anyMatch(pdb -> selects(Y.map(pdb, "spec", "selector", "matchLabels"), podLabels));
            assertThat(rendered.all("NetworkPolicy")).as("%s: a NetworkPolicy for ingress and egress", name)
                    .anyMatch(np -> selects(Y.map(np, "spec", "podSelector", "matchLabels"), podLabels)
                            && Y.list(np, "spec", "policyTypes").containsAll(List.of("Ingress", "Egress")));
            assertThat(rendered.all("Service")).as("%s: a Service", name)
                    .anyMatch(s -> selects(Y.map(s, "spec", "selector"), podLabels));
        }
    }

    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        return !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> String.valueOf(e.getValue()).equals(String.valueOf(labels.get(e.getKey()))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyResourceIsLabelledAsConcordsAndLandsInTheOverlaysNamespace(String overlay) {
        Rendered rendered = Kustomize.overlay(overlay);
        String namespace = Y.str(rendered.resources().get(0), "metadata", "namespace");
        assertThat(namespace).as("namespace of %s", overlay).isNotBlank();
        for (Map<String, Object> r : rendered.resources()) {
            assertThat(Y.str(r, "metadata", "labels", "app.kubernetes.io/part-of")).as("%s/%s label", Rendered.kind(r), Rendered.name(r))
                    .isEqualTo("concord");
            assertThat(Y.str(r, "metadata", "namespace")).as("%s/%s namespace", Rendered.kind(r), Rendered.name(r)).isEqualTo(namespace);
        }
    }

    // --- topics -------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyTopicTheServicesUseIsAKafkaTopicWithTheRightCleanupPolicyAndPartitions(String overlay) {
        assertTopicsFollowTheDeclaration(overlay, Kustomize.overlay(overlay), ConcordServices.declaredTypes());
    }

    /** Also used on a copy of deploy/k8s with a type added (TypesOnboardingTest). */
    static void assertTopicsFollowTheDeclaration(String overlay, Rendered rendered, EntityTypes types) {
        Map<String, Map<String, Object>> declared = kafkaTopics(rendered);

        assertThat(declared.keySet()).as("KafkaTopics in %s", overlay).containsExactlyInAnyOrderElementsOf(ConcordServices.allTopics(types));
        for (EntityType type : types.all()) {
            assertTopic(declared.get(TopicNames.events(type.name())), "delete", type.partitions());
            assertTopic(declared.get(TopicNames.state(type.name())), "compact", type.partitions());
        }
        for (String shared : List.of(TopicNames.CONFLICTS, TopicNames.REJECTED, TopicNames.DLQ)) {
            assertTopic(declared.get(shared), "delete", null);
        }
        // One partition: the catalog's registrations must have one order that every reader replays.
        assertTopic(declared.get(TopicNames.SCHEMAS), "compact", 1);

        String cluster = Rendered.name(rendered.all("Kafka").get(0));
        for (Map<String, Object> topic : declared.values()) {
            assertThat(Y.str(topic, "metadata", "labels", "strimzi.io/cluster")).as("cluster of %s", Rendered.name(topic)).isEqualTo(cluster);
        }
    }

    private static Map<String, Map<String, Object>> kafkaTopics(Rendered rendered) {
        Map<String, Map<String, Object>> topics = new LinkedHashMap<>();
        for (Map<String, Object> topic : rendered.all("KafkaTopic")) {
            String name = Y.str(topic, "spec", "topicName") != null ? Y.str(topic, "spec", "topicName") : Rendered.name(topic);
            assertThat(topics.put(name, topic)).as("topic %s declared twice", name).isNull();
        }
        return topics;
    }

    private static void assertTopic(Map<String, Object> topic, String cleanupPolicy, Integer partitions) {
        String name = Y.str(topic, "spec", "topicName");
        String policy = Y.str(topic, "spec", "config", "cleanup.policy");
        assertThat(policy == null ? "delete" : policy).as("cleanup.policy of %s", name).isEqualTo(cleanupPolicy);
        assertThat(Y.str(topic, "spec", "partitions")).as("partitions of %s", name).isNotNull();
        if (partitions != null) {
            assertThat(Integer.parseInt(Y.str(topic, "spec", "partitions"))).as("partitions of %s (declared)", name).isEqualTo(partitions);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyTopicKeepsThreeCopiesAndNeedsTwoWhereThereAreBrokersForIt(String overlay) {
        Rendered rendered = Kustomize.overlay(overlay);
        int brokers = rendered.all("KafkaNodePool").stream().filter(p -> Y.list(p, "spec", "roles").contains("broker"))
                .mapToInt(p -> Integer.parseInt(Y.str(p, "spec", "replicas"))).sum();
        if ("production".equals(overlay)) {
            assertThat(brokers).as("brokers in production").isEqualTo(3);
        }
        int replicas = Math.min(3, brokers);
        int minIsr = replicas == 1 ? 1 : replicas - 1;
        for (Map<String, Object> topic : kafkaTopics(rendered).values()) {
            assertThat(Integer.parseInt(Y.str(topic, "spec", "replicas"))).as("replicas of %s in %s", Rendered.name(topic), overlay).isEqualTo(replicas);
            assertThat(Integer.parseInt(Y.str(topic, "spec", "config", "min.insync.replicas")))
                    .as("min.insync.replicas of %s in %s", Rendered.name(topic), overlay).isEqualTo(minIsr);
        }
        Map<String, Object> config = Y.map(rendered.all("Kafka").get(0), "spec", "kafka", "config");
        for (String key : List.of("default.replication.factor", "offsets.topic.replication.factor", "transaction.state.log.replication.factor")) {
            assertThat(String.valueOf(config.get(key))).as("%s in %s", key, overlay).isEqualTo(String.valueOf(replicas));
        }
        for (String key : List.of("min.insync.replicas", "transaction.state.log.min.isr")) {
            assertThat(String.valueOf(config.get(key))).as("%s in %s", key, overlay).isEqualTo(String.valueOf(minIsr));
        }
    }

    // --- environment --------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyEnvironmentVariableAManifestSetsIsOneTheServiceReads(String overlay) {
        Rendered rendered = Kustomize.overlay(overlay);
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> workload : rendered.workloads()) {
            for (Map<String, Object> c : Rendered.containers(workload)) {
                String service = Y.str(c, "name");
                if (!SERVICES.contains(service)) {
                    problems.add("container " + service + " is not a Concord service; nothing says what it reads");
                    continue;
                }
                List<Var> vars = ContainerEnv.of(rendered, c);
                Set<String> referenced = new HashSet<>();
                vars.forEach(v -> referenced.addAll(v.references()));
                Set<String> placeholders = ConcordServices.placeholders(service);
                Map<String, Set<String>> families = ConcordServices.families(service);
                for (Var var : vars) {
                    String name = var.name();
                    String family = families.keySet().stream().filter(name::startsWith).findFirst().orElse(null);
                    if (placeholders.contains(name) || referenced.contains(name)) {
                        continue;
                    }
                    if (family == null) {
                        problems.add(service + " sets " + name + ", which " + ConcordServices.applicationYml(service).getFileName()
                                + " does not read (and no other variable refers to it)");
                    } else if (!families.get(family).contains(ConcordServices.propertyOf(name, family))
                            && !isStreamsClientTag(family, ConcordServices.propertyOf(name, family))) {
                        problems.add(service + " sets " + name + ": '" + ConcordServices.propertyOf(name, family)
                                + "' is not a Kafka client" + (family.equals("CONCORD_STREAMS_") ? " or Kafka Streams" : "") + " property");
                    }
                }
            }
        }
        assertThat(problems).as("overlay %s", overlay).isEmpty();
    }

    /** Kafka Streams' client tags are a family of their own: {@code client.tag.<any name>} (KIP-708). */
    private static boolean isStreamsClientTag(String family, String property) {
        return family.equals("CONCORD_STREAMS_") && property.startsWith(StreamsConfig.CLIENT_TAG_PREFIX)
                && property.length() > StreamsConfig.CLIENT_TAG_PREFIX.length();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void variableReferencesPointToVariablesDefinedBeforeThem(String overlay) {
        // $(NAME) is expanded only when NAME comes earlier; otherwise the literal text "$(NAME)" is the value.
        Rendered rendered = Kustomize.overlay(overlay);
        for (Map<String, Object> workload : rendered.workloads()) {
            for (Map<String, Object> c : Rendered.containers(workload)) {
                Set<String> defined = new HashSet<>();
                for (Var var : ContainerEnv.of(rendered, c)) {
                    assertThat(defined).as("%s: %s refers to", Y.str(c, "name"), var.name()).containsAll(var.references());
                    defined.add(var.name());
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void secretsAreReferencedNeverWrittenIntoTheManifests(String overlay) {
        Rendered rendered = Kustomize.overlay(overlay);
        // The one Secret rendered holds KEDA's user name (a name, not a credential: KEDA reads it from a Secret only).
        for (Map<String, Object> secret : rendered.all("Secret")) {
            assertThat(rendered.secretData(Rendered.name(secret)).keySet()).as("Secret %s", Rendered.name(secret)).containsOnly("username");
        }
        Set<String> strimziSecrets = new HashSet<>();
        rendered.all("KafkaUser").forEach(u -> strimziSecrets.add(Rendered.name(u)));
        rendered.all("Kafka").forEach(k -> strimziSecrets.add(Rendered.name(k) + "-cluster-ca-cert"));
        // The operations guide must tell operators how to create every Secret the manifests reference.
        Path guide = Kustomize.repo().resolve("docs/operations.md");
        String operations = read(guide);
        for (String service : ConcordServices.ALL) {
            Map<String, Object> workload = rendered.workloadOf(service);
            Set<String> secretNames = new TreeSet<>();
            for (Var var : ContainerEnv.of(rendered, rendered.container(service))) {
                if (var.name().matches(".*(PASSWORD|JAAS|SECRET|API_KEYS)$")) {
                    assertThat(var.fromSecret()).as("%s: %s must come from a Secret", service, var.name()).isTrue();
                }
                if (var.fromSecret()) {
                    secretNames.add(var.secret());
                }
            }
            Y.list(Rendered.podSpec(workload), "volumes").stream().map(v -> Y.str(v, "secret", "secretName"))
                    .filter(n -> n != null).forEach(secretNames::add);
            for (String secret : secretNames) {
                if (!strimziSecrets.contains(secret)) {
                    assertThat(operations).as("%s names the Secret %s that %s needs and an operator creates", guide, secret, service)
                            .contains("`" + secret + "`");
                }
            }
        }
    }

    // --- Kafka users and ACLs -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void eachServicesAclsCoverWhatItUsesAndNothingMore(String overlay) {
        assertAclsFollowTheDeclaration(overlay, Kustomize.overlay(overlay), ConcordServices.declaredTypes());
    }

    /** Also used on a copy of deploy/k8s with a type added (TypesOnboardingTest). */
    static void assertAclsFollowTheDeclaration(String overlay, Rendered rendered, EntityTypes types) {
        Map<String, Set<Acl>> expected = new LinkedHashMap<>();
        expected.put(ConcordServices.PRODUCER, KafkaAcls.producer(types, provisions(rendered, ConcordServices.PRODUCER)));
        expected.put(ConcordServices.PROCESSOR, KafkaAcls.processor(types, applicationId(rendered),
                provisions(rendered, ConcordServices.PROCESSOR)));
        expected.put(ConcordServices.CONSUMER, KafkaAcls.consumer(types, replicatedTypes(rendered, types), replicaGroup(rendered),
                provisions(rendered, ConcordServices.CONSUMER)));

        Set<String> usersAccountedFor = new HashSet<>();
        for (var entry : expected.entrySet()) {
            String user = kafkaUserOf(rendered, entry.getKey());
            usersAccountedFor.add(user);
            Map<String, Object> kafkaUser = rendered.one("KafkaUser", user);
            assertThat(Y.str(kafkaUser, "spec", "authentication", "type")).as("%s authentication", user).isEqualTo("scram-sha-512");
            assertSameAcls(user, KafkaAcls.of(kafkaUser), entry.getValue());
        }
        for (Map<String, Object> scaled : rendered.all("ScaledObject")) {
            String user = lagReaderUser(rendered);
            usersAccountedFor.add(user);
            assertSameAcls(user, KafkaAcls.of(rendered.one("KafkaUser", user)), KafkaAcls.lagReader(lagTopicsByGroup(rendered, types)));
            assertThat(scaled).isNotNull();
        }
        Set<String> users = new HashSet<>();
        rendered.all("KafkaUser").forEach(u -> users.add(Rendered.name(u)));
        assertThat(usersAccountedFor).as("every KafkaUser in %s belongs to a service or to KEDA", overlay).isEqualTo(users);
    }

    private static void assertSameAcls(String user, Set<Acl> actual, Set<Acl> expected) {
        Set<Acl> missing = new LinkedHashSet<>(expected);
        missing.removeAll(actual);
        Set<Acl> extra = new LinkedHashSet<>(actual);
        extra.removeAll(expected);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            fail("KafkaUser " + user + ":" + (missing.isEmpty() ? "" : "\n missing (the service uses these):" + ConcordServices.describe(missing))
                    + (extra.isEmpty() ? "" : "\n beyond what the service uses:" + ConcordServices.describe(extra)));
        }
        assertThat(actual).as("%s: no wildcard resources", user).noneMatch(acl -> acl.name().contains("*"));
    }

    /** The KafkaUser whose Secret gives the service its JAAS configuration. */
    static String kafkaUserOf(Rendered rendered, String service) {
        Var jaas = ContainerEnv.find(ContainerEnv.of(rendered, rendered.container(service)), "CONCORD_KAFKA_SASL_JAAS_CONFIG");
        assertThat(jaas).as("%s: CONCORD_KAFKA_SASL_JAAS_CONFIG", service).isNotNull();
        assertThat(jaas.fromSecret()).as("%s: JAAS configuration from a Secret", service).isTrue();
        assertThat(jaas.secretKey()).as("%s: Strimzi's key for the JAAS configuration", service).isEqualTo(KAFKA_USER_SECRET_KEY);
        assertThat(rendered.find("KafkaUser", jaas.secret())).as("%s: KafkaUser %s", service, jaas.secret()).isPresent();
        return jaas.secret();
    }

    private static boolean provisions(Rendered rendered, String service) {
        String setting = ContainerEnv.literal(ContainerEnv.of(rendered, rendered.container(service)), ConcordServices.PROVISION_TOPICS);
        return !"false".equalsIgnoreCase(setting);
    }

    static String applicationId(Rendered rendered) {
        String set = ContainerEnv.literal(ContainerEnv.of(rendered, rendered.container(ConcordServices.PROCESSOR)), "CONCORD_PROCESSOR_APP_ID");
        return set != null ? set : ConcordServices.defaultOf(ConcordServices.PROCESSOR, "CONCORD_PROCESSOR_APP_ID");
    }

    static String replicaGroup(Rendered rendered) {
        String set = ContainerEnv.literal(ContainerEnv.of(rendered, rendered.container(ConcordServices.CONSUMER)), "CONCORD_REPLICA_GROUP");
        return set != null ? set : ConcordServices.defaultOf(ConcordServices.CONSUMER, "CONCORD_REPLICA_GROUP");
    }

    private static List<EntityType> replicatedTypes(Rendered rendered, EntityTypes types) {
        return ConcordServices.replicatedTypes(types,
                ContainerEnv.literal(ContainerEnv.of(rendered, rendered.container(ConcordServices.CONSUMER)), "CONCORD_REPLICA_TYPES"));
    }

    private static Map<String, List<String>> lagTopicsByGroup(Rendered rendered, EntityTypes types) {
        Map<String, List<String>> byGroup = new LinkedHashMap<>();
        byGroup.put(applicationId(rendered), ConcordServices.eventTopics(types));
        byGroup.put(replicaGroup(rendered), ConcordServices.stateTopics(replicatedTypes(rendered, types)));
        return byGroup;
    }

    private static String lagReaderUser(Rendered rendered) {
        Map<String, Object> auth = rendered.all("TriggerAuthentication").get(0);
        String user = null;
        String userSecret = null;
        for (Object ref : Y.list(auth, "spec", "secretTargetRef")) {
            if ("password".equals(Y.str(ref, "parameter"))) {
                user = Y.str(ref, "name");
                assertThat(Y.str(ref, "key")).isEqualTo("password");
            }
            if ("username".equals(Y.str(ref, "parameter"))) {
                userSecret = Y.str(ref, "name");
            }
        }
        assertThat(user).as("KEDA's password Secret (Strimzi's, for its KafkaUser)").isNotNull();
        assertThat(rendered.secretData(userSecret).get("username")).as("KEDA's user name").isEqualTo(user);
        return user;
    }

    // --- scaling ------------------------------------------------------------------------------------

    @Test
    void productionScalesProducersOnCpuAndTheConsumersOnLagCappedAtTheirPartitions() {
        Rendered rendered = Kustomize.overlay("production");
        EntityTypes types = ConcordServices.declaredTypes();

        Map<String, Object> hpa = rendered.one("HorizontalPodAutoscaler", ConcordServices.PRODUCER);
        assertThat(Y.str(hpa, "spec", "scaleTargetRef", "name")).isEqualTo(Rendered.name(rendered.workloadOf(ConcordServices.PRODUCER)));
        assertThat(Y.str(Y.list(hpa, "spec", "metrics").get(0), "resource", "name")).isEqualTo("cpu");

        // sync-processor: one task per partition of each events topic; threads per instance share them.
        int threads = Integer.parseInt(ContainerEnv.literal(ContainerEnv.of(rendered, rendered.container(ConcordServices.PROCESSOR)),
                "CONCORD_STREAM_THREADS"));
        int tasks = types.all().stream().mapToInt(EntityType::partitions).sum();
        assertScaledOnLag(rendered, ConcordServices.PROCESSOR, applicationId(rendered), (tasks + threads - 1) / threads);
        // consumer-service: one consumer per partition of the state topics it applies.
        int statePartitions = replicatedTypes(rendered, types).stream().mapToInt(EntityType::partitions).sum();
        assertScaledOnLag(rendered, ConcordServices.CONSUMER, replicaGroup(rendered), statePartitions);

        for (String service : ConcordServices.ALL) {
            assertThat(Y.get(rendered.workloadOf(service), "spec", "replicas"))
                    .as("%s leaves its replica count to the autoscaler (an apply would reset it)", service).isNull();
        }
    }

    private static void assertScaledOnLag(Rendered rendered, String service, String group, int partitionCap) {
        Map<String, Object> workload = rendered.workloadOf(service);
        Map<String, Object> scaled = rendered.all("ScaledObject").stream()
                .filter(s -> Rendered.name(workload).equals(Y.str(s, "spec", "scaleTargetRef", "name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no ScaledObject for " + service));
        assertThat(Y.str(scaled, "spec", "scaleTargetRef", "kind")).isEqualTo(Rendered.kind(workload));
        Object trigger = Y.list(scaled, "spec", "triggers").get(0);
        assertThat(Y.str(trigger, "type")).isEqualTo("kafka");
        assertThat(Y.str(trigger, "metadata", "consumerGroup")).as("%s's group", service).isEqualTo(group);
        // KEDA's operator runs in its own namespace: the service's short bootstrap name, qualified with this namespace.
        String[] hostPort = ContainerEnv.literal(ContainerEnv.of(rendered, rendered.container(service)), "KAFKA_BOOTSTRAP_SERVERS").split(":");
        String namespace = Y.str(scaled, "metadata", "namespace");
        assertThat(Y.str(trigger, "metadata", "bootstrapServers")).as("KEDA reaches Kafka where %s does, from namespace keda", service)
                .isEqualTo(hostPort[0] + "." + namespace + ".svc:" + hostPort[1]);
        // ...through the same SASL_SSL listener: SCRAM-SHA-512, TLS against the cluster CA, its own user's password.
        assertThat(Y.str(trigger, "metadata", "sasl")).isEqualTo("scram_sha512");
        assertThat(Y.str(trigger, "metadata", "tls")).isEqualTo("enable");
        Map<String, Object> auth = rendered.one("TriggerAuthentication", Y.str(trigger, "authenticationRef", "name"));
        assertThat(Y.list(auth, "spec", "secretTargetRef")).extracting(ref -> Y.str(ref, "parameter"))
                .containsExactlyInAnyOrder("username", "password", "ca");
        Map<String, Object> listener = Y.list(rendered.one("Kafka", "concord-kafka"), "spec", "kafka", "listeners").stream()
                .map(l -> Y.map(l)).filter(l -> hostPort[1].equals(Y.str(l, "port"))).findFirst().orElseThrow();
        assertThat(Y.str(listener, "tls")).isEqualTo("true");
        assertThat(Y.str(listener, "authentication", "type")).isEqualTo("scram-sha-512");
        assertThat(Y.list(listener, "networkPolicyPeers")).as("the listener admits KEDA's namespace")
                .anySatisfy(peer -> assertThat(Y.str(peer, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name")).isEqualTo("keda"));
        int max = Integer.parseInt(Y.str(scaled, "spec", "maxReplicaCount"));
        assertThat(max).as("%s maxReplicaCount: more would idle", service).isLessThanOrEqualTo(partitionCap);
        assertThat(Integer.parseInt(Y.str(scaled, "spec", "minReplicaCount"))).isBetween(1, max);
    }

    @Test
    void productionBrokersKnowTheirZoneAndServeFetchesFromTheConsumersZone() {
        Map<String, Object> kafka = Kustomize.overlay("production").one("Kafka", "concord-kafka");

        assertThat(Y.str(kafka, "spec", "kafka", "rack", "topologyKey")).isEqualTo("topology.kubernetes.io/zone");
        assertThat(Y.str(kafka, "spec", "kafka", "config", "replica.selector.class"))
                .isEqualTo("org.apache.kafka.common.replica.RackAwareReplicaSelector");
        assertThat(Y.get(Kustomize.overlay("dev").one("Kafka", "concord-kafka"), "spec", "kafka", "rack"))
                .as("one broker in dev: no zones to spread over").isNull();
        // ...and the consumers say which zone they are in, so they fetch from the copy there.
        for (String service : List.of(ConcordServices.PROCESSOR, ConcordServices.CONSUMER)) {
            Var rack = ContainerEnv.find(ContainerEnv.of(Kustomize.overlay("production"),
                    Kustomize.overlay("production").container(service)), "CONCORD_KAFKA_CLIENT_RACK");
            assertThat(rack.fieldPath()).as(service).isEqualTo("metadata.labels['topology.kubernetes.io/zone']");
        }
        // ...and Kafka Streams keeps each standby out of its active task's zone (what Streams makes of these
        // settings: sync-processor's ZoneAwareAssignmentTest).
        Rendered production = Kustomize.overlay("production");
        List<Var> processor = ContainerEnv.of(production, production.container(ConcordServices.PROCESSOR));
        assertThat(ContainerEnv.find(processor, "CONCORD_STREAMS_CLIENT_TAG_ZONE").fieldPath())
                .isEqualTo("metadata.labels['topology.kubernetes.io/zone']");
        assertThat(ContainerEnv.literal(processor, "CONCORD_STREAMS_RACK_AWARE_ASSIGNMENT_TAGS")).isEqualTo("zone");
        assertThat(ContainerEnv.literal(processor, "CONCORD_STREAMS_RACK_AWARE_ASSIGNMENT_STRATEGY")).isEqualTo("min_traffic");
    }

    @Test
    void productionSyncProcessorUsesStaticMembershipFromThePodNameWithTheClassicProtocol() {
        Rendered rendered = Kustomize.overlay("production");
        List<Var> env = ContainerEnv.of(rendered, rendered.container(ConcordServices.PROCESSOR));
        Var instanceId = ContainerEnv.find(env, "CONCORD_STREAMS_GROUP_INSTANCE_ID");
        assertThat(instanceId).isNotNull();
        assertThat(instanceId.fieldPath()).isEqualTo("metadata.name");
        assertThat(ContainerEnv.literal(env, "CONCORD_STREAMS_GROUP_PROTOCOL")).isEqualTo("classic");
        assertThat(Rendered.kind(rendered.workloadOf(ConcordServices.PROCESSOR))).isEqualTo("StatefulSet");

        // The dev overlay keeps the streams protocol, which must not get an instance id.
        List<Var> dev = ContainerEnv.of(Kustomize.overlay("dev"), Kustomize.overlay("dev").container(ConcordServices.PROCESSOR));
        assertThat(ContainerEnv.find(dev, "CONCORD_STREAMS_GROUP_INSTANCE_ID")).isNull();
    }

    @Test
    void syncProcessorKeepsItsStateOnItsOwnVolume() {
        for (String overlay : Kustomize.OVERLAYS) {
            Rendered rendered = Kustomize.overlay(overlay);
            Map<String, Object> statefulSet = rendered.workloadOf(ConcordServices.PROCESSOR);
            String stateDir = ContainerEnv.literal(ContainerEnv.of(rendered, rendered.container(ConcordServices.PROCESSOR)), "CONCORD_STATE_DIR");
            Object mount = Y.list(rendered.container(ConcordServices.PROCESSOR), "volumeMounts").stream()
                    .filter(m -> stateDir.equals(Y.str(m, "mountPath"))).findFirst()
                    .orElseThrow(() -> new AssertionError("CONCORD_STATE_DIR " + stateDir + " is not a mounted volume in " + overlay));
            assertThat(Y.list(statefulSet, "spec", "volumeClaimTemplates")).as("a claim per instance for %s", stateDir)
                    .anyMatch(t -> Y.str(t, "metadata", "name").equals(Y.str(mount, "name")));
        }
    }

    // --- monitoring ---------------------------------------------------------------------------------

    @Test
    void productionScrapesEveryServiceAndAlertsOnLagDeadLettersAndUnreadyReplicas() throws IOException {
        Rendered rendered = Kustomize.overlay("production");
        for (String service : ConcordServices.ALL) {
            Map<String, Object> podLabels = Y.map(rendered.workloadOf(service), "spec", "template", "metadata", "labels");
            List<Map<String, Object>> services = rendered.all("Service").stream()
                    .filter(s -> selects(Y.map(s, "spec", "selector"), podLabels)).toList();
            assertThat(rendered.all("ServiceMonitor")).as("a ServiceMonitor scraping %s at /prometheus", service).anyMatch(sm ->
                    services.stream().anyMatch(s -> selects(Y.map(sm, "spec", "selector", "matchLabels"), Y.map(s, "metadata", "labels")))
                            && "/prometheus".equals(Y.str(Y.list(sm, "spec", "endpoints").get(0), "path")));
        }
        List<String> expressions = new ArrayList<>();
        rendered.all("PrometheusRule").forEach(rule -> Y.list(rule, "spec", "groups").forEach(g ->
                Y.list(g, "rules").forEach(r -> expressions.add(Y.str(r, "expr")))));
        assertThat(expressions).as("an alert on consumer-group lag").anyMatch(e -> e.contains("kafka_consumergroup_lag"));
        assertThat(expressions).as("an alert on dead letters").anyMatch(e -> e.contains("concord_sync_dead_letters_total"));
        assertThat(expressions).as("an alert on the DLQ topic growing").anyMatch(e -> e.contains("topic=\"" + TopicNames.DLQ + "\""));
        assertThat(expressions).as("an alert on unready replicas").anyMatch(e -> e.contains("kube_deployment_status_replicas_ready")
                && e.contains(ConcordServices.CONSUMER));

        Map<String, String> dashboards = rendered.configMapData("concord-grafana-dashboard");
        JsonNode dashboard = new ObjectMapper().readTree(dashboards.values().iterator().next());
        List<String> titles = new ArrayList<>();
        StringBuilder queries = new StringBuilder();
        dashboard.path("panels").forEach(p -> {
            titles.add(p.path("title").asText().toLowerCase());
            p.path("targets").forEach(t -> queries.append(t.path("expr").asText()).append('\n'));
        });
        for (String topic : List.of("per second", "lag", "freshness", "conflicts", "rejections", "dead letters")) {
            assertThat(titles).as("a dashboard panel on %s", topic).anyMatch(t -> t.contains(topic));
        }
        for (String metric : List.of("concord_sync_applied_total", "concord_sync_conflicts_total", "concord_sync_rejected_total",
                "concord_sync_dead_letters_total", "kafka_consumergroup_lag", "concord_replica_freshness_seconds_bucket")) {
            assertThat(queries.toString()).as("the dashboard queries %s", metric).contains(metric);
        }
    }

    // --- the type declaration -----------------------------------------------------------------------

    @Test
    void theTypeDeclarationMountedForTheServicesIsTheContractsDeclaration() throws IOException {
        Rendered rendered = Kustomize.overlay("dev");
        Path dir = Files.createTempDirectory("concord-types");
        rendered.configMapData(rendered.generatedConfigMap("concord-types")).forEach((file, content) -> write(dir.resolve(file), content));
        EntityTypes mounted = EntityTypes.load(dir.resolve("concord-types.json").toString());
        EntityTypes contract = ConcordServices.declaredTypes();

        assertThat(mounted.names()).isEqualTo(contract.names());
        for (EntityType type : contract.all()) {
            EntityType copy = mounted.require(type.name());
            assertThat(copy.policy()).as("policy of %s", type.name()).isEqualTo(type.policy());
            assertThat(copy.partitions()).as("partitions of %s", type.name()).isEqualTo(type.partitions());
            assertThat(copy.schema()).as("schema of %s", type.name()).isEqualTo(type.schema());
        }
        // Byte for byte, so that docs and comments in the schemas do not drift either.
        JsonNode declaration = new ObjectMapper().readTree(ConcordServices.declaration().toFile());
        for (JsonNode type : declaration.path("types")) {
            String location = type.path("schema").asText();
            Path source = ConcordServices.schemaSource(location);
            assertThat(read(Kustomize.k8s().resolve("base/types").resolve(source.getFileName())))
                    .as("deploy/k8s/base/types/%s is a copy of %s", source.getFileName(), source).isEqualTo(read(source));
        }
        String typesLocation = ContainerEnv.literal(ContainerEnv.of(rendered, rendered.container(ConcordServices.PRODUCER)), "CONCORD_TYPES");
        for (String service : ConcordServices.ALL) {
            Map<String, Object> c = rendered.container(service);
            assertThat(ContainerEnv.literal(ContainerEnv.of(rendered, c), "CONCORD_TYPES")).isEqualTo(typesLocation);
            String mountPath = Y.list(c, "volumeMounts").stream().filter(m -> typesLocation.startsWith(Y.str(m, "mountPath") + "/"))
                    .map(m -> Y.str(m, "name")).findFirst().orElseThrow(() -> new AssertionError(service + " does not mount " + typesLocation));
            assertThat(Y.list(Rendered.podSpec(rendered.workloadOf(service)), "volumes")).anyMatch(v -> mountPath.equals(Y.str(v, "name"))
                    && rendered.generatedConfigMap("concord-types").equals(Y.str(v, "configMap", "name")));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
