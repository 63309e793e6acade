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
import org.junit.jupiter.api.Test;

/**
 * The second region's overlay (docs/multi-region.md), as rendered: it mirrors the first region's events and nothing
 * else, declares a mirrored topic with the right partitions for every declared type, tells the services their region,
 * lets sync-processor read what is mirrored, and homes every optimistic type. (Its objects' schemas: SchemaValidationTest.)
 */
class RegionOverlayTest {

    static final String OVERLAY = "region-us";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mirrorsTheOtherRegionsEventsOnlyAndNeverTheMirroredOnesBack() {
        Map<String, Object> mirror = Kustomize.overlay(OVERLAY).one("KafkaMirrorMaker2", "concord-mirror-from-eu");

        assertThat(Y.str(mirror, "spec", "target", "alias")).isEqualTo("us");
        List<Object> mirrors = Y.list(mirror, "spec", "mirrors");
        assertThat(mirrors).hasSize(1);
        assertThat(Y.str(mirrors.get(0), "source", "alias")).isEqualTo("eu");
        Pattern topics = Pattern.compile(Y.str(mirrors.get(0), "topicsPattern"));
        for (EntityType type : declared().all()) {
            assertThat(topics.matcher(TopicNames.events(type.name())).matches()).as(type.name()).isTrue();
            for (String other : List.of(TopicNames.state(type.name()), TopicNames.mirroredEvents("us", type.name()),
                    TopicNames.mirroredEvents("eu", type.name()))) {
                assertThat(topics.matcher(other).matches()).as(other).isFalse();
            }
        }
        for (String shared : List.of(TopicNames.CONFLICTS, TopicNames.REJECTED, TopicNames.DLQ, TopicNames.SCHEMAS)) {
            assertThat(topics.matcher(shared).matches()).as(shared).isFalse();
        }
    }

    @Test
    void declaresEveryTypesMirroredTopicWithItsPartitionsAndLetsTheProcessorReadThem() {
        Rendered rendered = Kustomize.overlay(OVERLAY);
        for (EntityType type : declared().all()) {
            Map<String, Object> topic = rendered.one("KafkaTopic", TopicNames.mirroredEvents("eu", type.name()));
            assertThat(Y.get(topic, "spec", "partitions")).as(type.name()).isEqualTo(type.partitions());
        }
        List<KafkaAcls.Acl> processor = List.copyOf(KafkaAcls.of(rendered.one("KafkaUser", "concord-sync-processor")));
        assertThat(processor).contains(new KafkaAcls.Acl("topic", "eu.concord.events.", "prefix", "Read"),
                new KafkaAcls.Acl("topic", "eu.concord.events.", "prefix", "Describe"));
    }

    @Test
    void tellsTheServicesTheirRegionAndHomesEveryOptimisticTypeInTheSameRegionAsTheContractsDeclarationOtherwise()
            throws Exception {
        Rendered rendered = Kustomize.overlay(OVERLAY);
        Map<String, String> processor = rendered.configMapData(rendered.generatedConfigMap("sync-processor-config"));
        assertThat(processor).containsEntry("CONCORD_REGION", "us").containsEntry("CONCORD_MIRRORED_FROM", "eu");
        assertThat(rendered.configMapData(rendered.generatedConfigMap("producer-service-config"))).containsEntry("CONCORD_REGION", "us");

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
