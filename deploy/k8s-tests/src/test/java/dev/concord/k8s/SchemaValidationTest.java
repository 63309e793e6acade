package dev.concord.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.k8s.schema.SchemaValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every object of every overlay, read by the model classes of the project that owns its kind (see
 * {@link SchemaValidator}): the cluster would accept it, and no field is misspelt or unknown to that version.
 */
class SchemaValidationTest {

    /** The Strimzi operator the manifests target (deploy/k8s-tests/pom.xml; docs/operations.md installs it). */
    static final String STRIMZI_VERSION = System.getProperty("strimzi.version", "1.2.0");

    /**
     * Kafka versions each pinned Strimzi release can run (Strimzi's kafka-versions.yaml at that release, "supported:
     * true"; 1.2.0's release notes: the 4.3 line, up to 4.3.1). No Strimzi runs 4.4: the clients are 4.4, the brokers 4.3.1.
     */
    static final Map<String, Set<String>> KAFKA_VERSIONS_BY_STRIMZI = Map.of("1.2.0", Set.of("4.3.0", "4.3.1"));

    @org.junit.jupiter.api.BeforeAll
    static void needsAJvmThatLoadsStrimzisModel() {
        if (!SchemaValidator.canLoadStrimziModel()) {
            String hint = "Strimzi " + STRIMZI_VERSION + "'s model classes need Java 21 or later; this JVM is "
                    + Runtime.version() + ". Run with -Dk8s.tests.jvm=<a Java 21+ bin/java> (deploy/k8s-tests/pom.xml"
                    + " picks /usr/lib/jvm/temurin-25-jdk-amd64 by itself when it exists).";
            if (System.getenv("CONCORD_REQUIRE_TOOLS") != null) {
                throw new AssertionError(hint);
            }
            org.junit.jupiter.api.Assumptions.abort(hint + " (skipped; CONCORD_REQUIRE_TOOLS=1 makes it a failure)");
        }
    }

    static List<String> overlays() {
        List<String> all = new ArrayList<>(Kustomize.OVERLAYS);
        all.addAll(RegionOverlayTest.overlays());
        return all;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyObjectOfTheOverlayMatchesTheSchemaOfItsKind(String overlay) {
        // Given every object the overlay renders
        List<Map<String, Object>> resources = Kustomize.overlay(overlay).resources();

        // When each is read by its owner's model
        List<String> errors = new ArrayList<>();
        resources.forEach(r -> errors.addAll(SchemaValidator.validate(r)));

        // Then none has an unknown kind, a wrong type or an unknown field
        assertThat(errors).as("schema errors in overlay %s", overlay).isEmpty();
        assertThat(resources).hasSizeGreaterThan(20);
    }

    @Test
    void theDeadLetterToolsMatchTheirSchemasAndReachKafkaAsAClientOfTheListener() {
        String yaml = Kustomize.render(Kustomize.k8s().resolve("ops/dlq"));
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(yaml)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> resource = (Map<String, Object>) doc;
            resources.add(resource);
        }

        List<String> errors = new ArrayList<>();
        resources.forEach(r -> errors.addAll(SchemaValidator.validate(r)));

        assertThat(errors).isEmpty();
        assertThat(resources).extracting(r -> Y.str(r, "kind")).containsExactlyInAnyOrder("KafkaUser", "Pod");
        Map<String, Object> pod = resources.stream().filter(r -> "Pod".equals(Y.str(r, "kind"))).findFirst().orElseThrow();
        assertThat(Y.str(pod, "metadata", "labels", "concord.dev/kafka-client")).as("admitted by the listener's NetworkPolicy").isEqualTo("true");
        assertThat(Y.str(Y.list(pod, "spec", "containers").get(0), "image")).endsWith(":" + STRIMZI_VERSION + "-kafka-"
                + Y.str(Kustomize.overlay("production").one("Kafka", "concord-kafka"), "spec", "kafka", "version"));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theBrokersRunAKafkaVersionThePinnedStrimziSupports(String overlay) {
        Map<String, Object> kafka = Kustomize.overlay(overlay).one("Kafka", "concord-kafka");

        assertThat(KAFKA_VERSIONS_BY_STRIMZI).as("supported Kafka versions known for Strimzi %s", STRIMZI_VERSION)
                .containsKey(STRIMZI_VERSION);
        assertThat(Y.str(kafka, "spec", "kafka", "version")).isIn(KAFKA_VERSIONS_BY_STRIMZI.get(STRIMZI_VERSION));
        assertThat(Y.str(kafka, "apiVersion")).isEqualTo("kafka.strimzi.io/v1");
    }

    @Test
    void theValidatorRefusesAStrimziKindInAVersionStrimziNoLongerServes() {
        Map<String, Object> topic = copy(Kustomize.overlay("dev").one("KafkaTopic", "concord.dlq"));
        topic.put("apiVersion", "kafka.strimzi.io/v1beta2");

        assertThat(SchemaValidator.validate(topic)).singleElement().asString()
                .contains("kafka.strimzi.io/v1beta2/KafkaTopic is not a kind the target cluster serves");
    }

    @Test
    void theValidatorReportsAFieldThatStrimziV1RemovedWithItsPath() {
        // Given the Kafka resource with spec.kafka.replicas, which v1beta2 had and v1 moved to KafkaNodePool
        Map<String, Object> kafka = copy(Kustomize.overlay("production").one("Kafka", "concord-kafka"));
        Y.map(kafka, "spec", "kafka").put("replicas", 3);

        assertThat(SchemaValidator.validate(kafka)).singleElement().asString().endsWith("unknown field Kafka.spec.kafka.replicas");
    }

    @Test
    void theValidatorReportsAMisspeltFieldDeepInsideAPodTemplate() {
        Map<String, Object> deployment = copy(Kustomize.overlay("production").one("Deployment", "consumer-service"));
        Map<String, Object> container = Rendered.containers(deployment).get(0);
        container.put("imagePulPolicy", "Always");

        assertThat(SchemaValidator.validate(deployment)).singleElement().asString()
                .endsWith("unknown field Deployment.spec.template.spec.containers[0].imagePulPolicy");
    }

    @Test
    void theValidatorReportsAWrongTypeAndAnUnknownEnumValue() {
        Map<String, Object> topic = copy(Kustomize.overlay("dev").one("KafkaTopic", "concord.dlq"));
        Y.map(topic, "spec").put("partitions", "three");
        assertThat(SchemaValidator.validate(topic)).singleElement().asString().contains("does not match");

        Map<String, Object> user = copy(Kustomize.overlay("dev").one("KafkaUser", "concord-consumer-service"));
        Y.map(user, "spec", "authentication").put("type", "scram-sha-256");
        assertThat(SchemaValidator.validate(user)).singleElement().asString().contains("does not match");
    }

    @Test
    void theValidatorReportsAMisspeltKedaFieldAndKafkaScalerKey() {
        Map<String, Object> scaledObject = copy(Kustomize.overlay("production").one("ScaledObject", "consumer-service"));
        Y.map(scaledObject, "spec").put("maxReplicas", 4);
        assertThat(SchemaValidator.validate(scaledObject)).singleElement().asString().contains("maxReplicas");

        Map<String, Object> misspeltKey = copy(Kustomize.overlay("production").one("ScaledObject", "consumer-service"));
        @SuppressWarnings("unchecked")
        Map<String, Object> trigger = (Map<String, Object>) Y.list(misspeltKey, "spec", "triggers").get(0);
        Y.map(trigger, "metadata").put("lagTreshold", "10");
        assertThat(SchemaValidator.validate(misspeltKey)).singleElement().asString()
                .endsWith("metadata.lagTreshold");
    }

    @Test
    void theValidatorReportsAMisspeltPrometheusOperatorField() {
        Map<String, Object> monitor = copy(Kustomize.overlay("production").one("ServiceMonitor", "consumer-service"));
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoint = (Map<String, Object>) Y.list(monitor, "spec", "endpoints").get(0);
        endpoint.put("intervall", "30s");

        assertThat(SchemaValidator.validate(monitor)).singleElement().asString()
                .endsWith("unknown field ServiceMonitor.spec.endpoints[0].intervall");
    }

    /** A deep, mutable copy: the rendered overlays are shared between tests. */
    @SuppressWarnings("unchecked")
    static <T> T copy(T node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), copy(v)));
            return (T) copy;
        }
        if (node instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(copy(v)));
            return (T) copy;
        }
        return node;
    }
}
