package dev.concord.processor.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import dev.concord.processor.metrics.SyncMetrics;
import dev.concord.processor.runtime.StreamsSettings;
import dev.concord.processor.topology.EventPartitions;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.processor.topology.SyncTopology;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * A state query that reaches an instance whose Kafka Streams cannot serve its stores (starting, or a rebalance that took
 * the task between the metadata and the read) is told to ask again (503 with Retry-After), never answered with a 500.
 */
class StateQueryServiceTest {

    @Test
    void shouldAnswerUnavailableWhileTheStoresAreNotQueryable() throws Exception {
        EntityType customer = new EntityType("customer", Customer.getClassSchema(), MergePolicy.FIELD_MERGE, 1);
        EntityTypes types = EntityTypes.of(List.of(customer));
        ConcordContract contract = ConcordContract.inMemory(types);
        // Created, not started: every store query throws Kafka Streams' InvalidStateStoreException (StreamsNotStarted).
        try (KafkaStreams notStarted = new KafkaStreams(
                SyncTopology.build(contract, SyncSettings.defaults(), SyncMetrics.NONE, EventPartitions.onePerTopic(types)),
                StreamsSettings.of(Map.of("bootstrap.servers", "localhost:9"), Map.of(
                        "application.id", "query-test",
                        "state.dir", Files.createTempDirectory("query-test").toString(),
                        "application.server", "localhost:8080"), SyncMetrics.NONE))) {
            StateQueryService queries = new StateQueryService(notStarted, contract, "localhost:8080");

            StateQueryService.Answer answer = queries.query(customer, "c-1", false, new Credentials(Map.of()));

            assertThat(answer).isInstanceOf(StateQueryService.Answer.Unavailable.class);
            assertThat(((StateQueryService.Answer.Unavailable) answer).reason()).contains("CREATED");
        }
    }
}
