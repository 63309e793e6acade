package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.contract.types.PoisonPolicy;
import dev.concord.domain.Customer;
import dev.concord.processor.metrics.SyncMetrics;
import java.util.List;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.Test;

/** Events mirrored from another region fold with the local ones (docs/multi-region.md). */
class RegionsTopologyTest {

    @Test
    void shouldFoldEventsMirroredFromAnotherRegionWithTheLocalOnesIntoOneState() {
        EntityType customer = new EntityType("customer", Customer.getClassSchema(), MergePolicy.LAST_WRITER_WINS, 1);
        try (TopologyFixture us = new TopologyFixture(customer, SyncSettings.defaults().withRegions("us", List.of("eu")), SyncMetrics.NONE)) {
            TestInputTopic<String, EntityEvent> fromEu = mirrored(us, "eu");
            us.events.pipeInput("c-1", us.upsert("c-1", 2_000, "us-writer", "Local, newer"), T0);
            fromEu.pipeInput("c-1", us.upsert("c-1", 1_000, "eu-writer", "Mirrored, older"), T0);
            fromEu.pipeInput("c-2", us.upsert("c-2", 1_000, "eu-writer", "Only in eu"), T0);

            assertThat(us.field(us.store.get("c-1"), "name")).isEqualTo("Local, newer");
            assertThat(us.store.get("c-1").getVersion()).isEqualTo(1);
            assertThat(us.field(us.store.get("c-2"), "name")).isEqualTo("Only in eu");
            assertThat(us.conflicts.readValue().getLoser().getWriter()).isEqualTo("eu-writer");
        }
    }

    @Test
    void shouldApplyAnOptimisticTypesWritesFromItsHomeRegionOnlyWhereverTheyArrive() {
        EntityType order = new EntityType("customer", Customer.getClassSchema(), MergePolicy.OPTIMISTIC, 1, PoisonPolicy.SKIP, "eu");
        try (TopologyFixture us = new TopologyFixture(order, SyncSettings.defaults().withRegions("us", List.of("eu")), SyncMetrics.NONE)) {
            us.events.pipeInput("o-1", us.upsert("o-1", 1_000, "us-writer", "Written in us"), T0);
            mirrored(us, "eu").pipeInput("o-1", us.upsert("o-1", 2_000, "eu-writer", "Written in eu"), T0);

            var refused = us.rejected.readValue();
            assertThat(refused.getReason()).isEqualTo(RejectionReason.NOT_HOME_REGION);
            assertThat(refused.getDetail()).contains("'eu'").contains("'us'");
            assertThat(us.field(us.store.get("o-1"), "name")).isEqualTo("Written in eu");
        }
        // In the home region, its own writes apply, and those mirrored from elsewhere are refused the same way.
        try (TopologyFixture eu = new TopologyFixture(order, SyncSettings.defaults().withRegions("eu", List.of("us")), SyncMetrics.NONE)) {
            mirrored(eu, "us").pipeInput("o-1", eu.upsert("o-1", 1_000, "us-writer", "Written in us"), T0);
            eu.events.pipeInput("o-1", eu.upsert("o-1", 2_000, "eu-writer", "Written in eu"), T0);

            assertThat(eu.rejected.readValue().getReason()).isEqualTo(RejectionReason.NOT_HOME_REGION);
            assertThat(eu.field(eu.store.get("o-1"), "name")).isEqualTo("Written in eu");
        }
    }

    @Test
    void shouldRefuseToStartAcrossRegionsWithAnOptimisticTypeWithoutAHome() {
        EntityType homeless = new EntityType("customer", Customer.getClassSchema(), MergePolicy.OPTIMISTIC, 1);
        ConcordContract contract = ConcordContract.inMemory(EntityTypes.of(List.of(homeless)));
        assertThatThrownBy(() -> SyncTopology.build(contract, SyncSettings.defaults().withRegions("us", List.of("eu")), SyncMetrics.NONE,
                EventPartitions.onePerTopic(contract.types()))).hasMessageContaining("home");
        assertThatThrownBy(() -> SyncSettings.defaults().withRegions(null, List.of("eu"))).hasMessageContaining("CONCORD_REGION");
    }

    private static TestInputTopic<String, EntityEvent> mirrored(TopologyFixture f, String region) {
        var events = f.contract.topics().events(f.customer);
        return f.driver.createInputTopic(region + "." + events.name(), events.keySerde().serializer(), events.valueSerde().serializer());
    }
}
