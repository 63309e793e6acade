package dev.concord.processor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.processor.metrics.SyncMetrics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The settings production gives sync-processor for zones (deploy/k8s/overlays/production/patches/
 * kafka-clients-in-their-zone.yaml) are ones Kafka Streams accepts and reads as meant: standbys placed by the
 * zone tag (KIP-708), active tasks near their partitions' copies (KIP-925), also on a cluster whose pods
 * carry no zone label (the value is then empty).
 */
class ZoneAwareAssignmentTest {

    @Test
    void shouldPlaceStandbysByZoneAndActiveTasksByRack() {
        StreamsConfig config = streamsConfig("eu-west-1a");

        assertThat(config.getClientTags()).containsEntry("zone", "eu-west-1a");
        assertThat(config.getList(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG)).containsExactly("zone");
        assertThat(config.getString(StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_CONFIG))
                .isEqualTo(StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_MIN_TRAFFIC);
        assertThat(config.getMainConsumerConfigs("g", "c", 0)).containsEntry("client.rack", "eu-west-1a");
    }

    @Test
    void shouldStillStartWhereThePodsKnowNoZone() {
        // Kafka Streams refuses an empty tag value ("Tag value cannot be empty"): the tag and the assignment
        // tag naming it are dropped instead, and the processor starts.
        StreamsConfig config = streamsConfig("");

        assertThat(config.getClientTags()).isEmpty();
        assertThat(config.getList(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG)).isEmpty();
    }

    @Test
    void shouldStillStartWhenTheEmptyZoneComesWithTheKafkaClientSettings() {
        // CONCORD_KAFKA_CLIENT_TAG_ZONE from a pod without a zone label: the shared client settings carry the empty tag.
        Map<String, Object> kafka = Map.of("bootstrap.servers", "localhost:9092", "client.tag.zone", "");
        Map<String, Object> streams = Map.of("rack.aware.assignment.tags", "zone", "group.protocol", "classic");

        StreamsConfig config = new StreamsConfig(StreamsSettings.of(kafka, streams, SyncMetrics.NONE));

        assertThat(config.getClientTags()).isEmpty();
        assertThat(config.getList(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG)).isEmpty();
    }

    @Test
    void shouldKeepAZoneTheKafkaClientSettingsGiveWhenTheOverrideIsEmpty() {
        Map<String, Object> kafka = Map.of("bootstrap.servers", "localhost:9092", "client.tag.zone", "eu-west-1a");
        Map<String, Object> streams = Map.of("client.tag.zone", "", "rack.aware.assignment.tags", "zone", "group.protocol", "classic");

        StreamsConfig config = new StreamsConfig(StreamsSettings.of(kafka, streams, SyncMetrics.NONE));

        assertThat(config.getClientTags()).containsEntry("zone", "eu-west-1a");
        assertThat(config.getList(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG)).containsExactly("zone");
    }

    /** What the production overlay's environment becomes (CONCORD_KAFKA_* and CONCORD_STREAMS_*), as the service builds it. */
    private static StreamsConfig streamsConfig(String zone) {
        Map<String, Object> kafka = Map.of("bootstrap.servers", "localhost:9092", "client.rack", zone);
        Map<String, Object> streams = Map.of(
                "client.tag.zone", zone,
                "rack.aware.assignment.tags", "zone",
                "rack.aware.assignment.strategy", "min_traffic",
                "group.protocol", "classic");
        return new StreamsConfig(StreamsSettings.of(kafka, streams, SyncMetrics.NONE));
    }
}
