package dev.concord.processor.it;

import dev.concord.contract.ConcordContract;
import dev.concord.processor.metrics.SyncMetrics;
import dev.concord.processor.runtime.StreamsSettings;
import dev.concord.processor.topology.EventPartitions;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.processor.topology.SyncTopology;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;

/** The processor's topology running on the test broker as the service runs it (its Streams settings), started. */
public final class ProcessorOnTestBroker {

    private ProcessorOnTestBroker() {
    }

    /** @param name prefix of the application id and state directory, unique per call */
    public static KafkaStreams start(ConcordContract contract, SyncSettings settings, String name) {
        return start(contract, settings, KafkaTestClients.uniqueId(name + "-app"), name);
    }

    /** An instance of {@code applicationId} on a new, empty state directory (prefixed {@code name}). */
    public static KafkaStreams start(ConcordContract contract, SyncSettings settings, String applicationId, String name) {
        Map<String, Object> kafka = Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers());
        EventPartitions partitions;
        try (Admin admin = Admin.create(kafka)) {
            partitions = EventPartitions.fromBroker(admin, contract.types());
        }
        try {
            KafkaStreams streams = new KafkaStreams(SyncTopology.build(contract, settings, SyncMetrics.NONE, partitions),
                    StreamsSettings.of(kafka, Map.of(
                            "application.id", applicationId,
                            "state.dir", Files.createTempDirectory(name + "-state").toString(),
                            "group.protocol", "streams",
                            "commit.interval.ms", "100"), SyncMetrics.NONE));
            streams.start();
            return streams;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
