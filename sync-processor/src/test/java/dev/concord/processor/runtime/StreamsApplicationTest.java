package dev.concord.processor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import dev.concord.processor.metrics.SyncMetrics;
import dev.concord.processor.topology.EventPartitions;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.processor.topology.SyncTopology;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the hanging-transaction watch looks at: every topic the processor's transactions write, the dead-letter topic
 * among them though only a type that parks has a sink for it (the exception handlers write it).
 */
class StreamsApplicationTest {

    @Test
    void namesTheTopicsTheTopologyWritesAndTheChangelogsItsStoresMayHave() {
        EntityType customer = new EntityType("customer", Customer.getClassSchema(), MergePolicy.LAST_WRITER_WINS, 1);
        ConcordContract contract = ConcordContract.inMemory(EntityTypes.of(List.of(customer))).registerWriterSchemas();
        StreamsApplication application = new StreamsApplication(
                SyncTopology.build(contract, SyncSettings.defaults(), SyncMetrics.NONE, EventPartitions.onePerTopic(contract.types())),
                StreamsSettings.of(Map.of("bootstrap.servers", "unused:9092"), Map.of("application.id", "app"), SyncMetrics.NONE));

        assertThat(application.applicationId()).isEqualTo("app");
        assertThat(application.writtenTopics()).containsExactlyInAnyOrder(TopicNames.state("customer"), TopicNames.CONFLICTS,
                TopicNames.REJECTED, TopicNames.DLQ);
        assertThat(application.changelogTopicNames()).contains("app-tombstone-expiry.customer-changelog")
                .allMatch(name -> name.startsWith("app-") && name.endsWith("-changelog"));
    }
}
