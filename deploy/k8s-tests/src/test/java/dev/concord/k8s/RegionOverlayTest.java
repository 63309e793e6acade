package dev.concord.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two regions' overlays (docs/multi-region.md), as rendered: each mirrors the other region's events and nothing
 * else, declares a mirrored topic with the right partitions for every declared type, tells the services their region,
 * lets sync-processor read what is mirrored, and homes every optimistic type in the same region. (Their objects'
 * schemas: SchemaValidationTest.)
 */
class RegionOverlayTest {

    /** Overlay name to its region and the other region. */
    static final Map<String, List<String>> OVERLAYS = Map.of("region-eu", List.of("eu", "us"), "region-us", List.of("us", "eu"));
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<String> overlays() {
        return List.copyOf(new java.util.TreeSet<>(OVERLAYS.keySet()));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void mirrorsTheOtherRegionsEventsOnlyAndNeverTheMirroredOnesBack(String overlay) {
        String region = OVERLAYS.get(overlay).get(0);
        String other = OVERLAYS.get(overlay).get(1);
        Map<String, Object> mirror = Kustomize.overlay(overlay).one("KafkaMirrorMaker2", "concord-mirror-from-" + other);

        assertThat(Y.str(mirror, "spec", "target", "alias")).isEqualTo(region);
        List<Object> mirrors = Y.list(mirror, "spec", "mirrors");
        assertThat(mirrors).hasSize(1);
        assertThat(Y.str(mirrors.get(0), "source", "alias")).isEqualTo(other);
        Pattern topics = Pattern.compile(Y.str(mirrors.get(0), "topicsPattern"));
        for (EntityType type : declared().all()) {
            assertThat(topics.matcher(TopicNames.events(type.name())).matches()).as(type.name()).isTrue();
            for (String notMirrored : List.of(TopicNames.state(type.name()), TopicNames.mirroredEvents("us", type.name()),
                    TopicNames.mirroredEvents("eu", type.name()))) {
                assertThat(topics.matcher(notMirrored).matches()).as(notMirrored).isFalse();
            }
        }
        for (String shared : List.of(TopicNames.CONFLICTS, TopicNames.REJECTED, TopicNames.DLQ, TopicNames.SCHEMAS)) {
            assertThat(topics.matcher(shared).matches()).as(shared).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void declaresEveryTypesMirroredTopicWithItsPartitionsAndLetsTheProcessorReadThem(String overlay) {
        String other = OVERLAYS.get(overlay).get(1);
        Rendered rendered = Kustomize.overlay(overlay);
        for (EntityType type : declared().all()) {
            Map<String, Object> topic = rendered.one("KafkaTopic", TopicNames.mirroredEvents(other, type.name()));
            assertThat(Y.get(topic, "spec", "partitions")).as(type.name()).isEqualTo(type.partitions());
        }
        List<KafkaAcls.Acl> processor = List.copyOf(KafkaAcls.of(rendered.one("KafkaUser", "concord-sync-processor")));
        assertThat(processor).contains(new KafkaAcls.Acl("topic", other + ".concord.events.", "prefix", "Read"),
                new KafkaAcls.Acl("topic", other + ".concord.events.", "prefix", "Describe"));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void tellsTheServicesTheirRegionAndHomesEveryOptimisticTypeInTheSameRegionAsTheContractsDeclarationOtherwise(String overlay)
            throws Exception {
        String region = OVERLAYS.get(overlay).get(0);
        String other = OVERLAYS.get(overlay).get(1);
        Rendered rendered = Kustomize.overlay(overlay);
        Map<String, String> processor = rendered.configMapData(rendered.generatedConfigMap("sync-processor-config"));
        assertThat(processor).containsEntry("CONCORD_REGION", region).containsEntry("CONCORD_MIRRORED_FROM", other);
        assertThat(rendered.configMapData(rendered.generatedConfigMap("producer-service-config"))).containsEntry("CONCORD_REGION", region);

        JsonNode mounted = JSON.readTree(rendered.configMapData(rendered.generatedConfigMap("concord-types")).get("concord-types.json"));
        JsonNode contract = JSON.readTree(Files.readString(Kustomize.k8s().resolve("base/types/concord-types.json")));
        for (JsonNode type : contract.path("types")) {
            if (MergePolicy.OPTIMISTIC.id().equals(type.path("policy").asText())) {
                ((ObjectNode) type).put("home", "eu");
            }
        }
        assertThat(mounted).as("the contract's declaration, optimistic types homed in eu").isEqualTo(contract);
    }

    private static EntityTypes declared() {
        return EntityTypes.load(Kustomize.repo().resolve("schemas/src/main/resources/concord-types.json").toString());
    }

}
