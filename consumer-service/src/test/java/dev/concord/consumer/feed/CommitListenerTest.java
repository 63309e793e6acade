package dev.concord.consumer.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.consumer.apply.TestAppliers;
import dev.concord.consumer.store.ReplicaStore;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.store.AppliedBatch;
import dev.concord.replica.store.StateBatch;
import dev.concord.replica.store.StateChange;
import dev.concord.testsupport.PostgresExtension;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Commits of another instance wake this instance's feeds: the store notifies on commit, the listener
 * raises the notifier. Real PostgreSQL, no Kafka.
 */
@ExtendWith(PostgresExtension.class)
class CommitListenerTest {

    private static final CustomerStates CUSTOMERS = new CustomerStates(ConcordContract.inMemory(EntityTypes.load(EntityTypes.DEFAULT_DECLARATION)));

    private static final TopicPartition PARTITION = new TopicPartition("concord.state.customer", 0);

    @Test
    void shouldRaiseNotifierToWhatStoreHadAndToEveryLaterCommit() throws Exception {
        String jdbcUrl = PostgresExtension.createDatabase();
        ReplicaStore otherInstance = new ReplicaStore(TestAppliers.migratedDataSource(jdbcUrl));
        AppliedBatch before = otherInstance.apply(batch(1, "a"));
        ChangeNotifier notifier = new ChangeNotifier();

        try (CommitListener listener = new CommitListener(() -> DriverManager.getConnection(jdbcUrl), notifier).start()) {
            await().atMost(Duration.ofSeconds(30)).until(listener::listening);
            assertThat(notifier.latest()).isEqualTo(before.feedHead());

            AppliedBatch later = otherInstance.apply(batch(2, "b"));
            await().atMost(Duration.ofSeconds(30)).until(() -> notifier.latest() == later.feedHead());

            otherInstance.apply(batch(3, "b")); // changes nothing: no notification, nothing moves
            assertThat(notifier.latest()).isEqualTo(later.feedHead());
        }
    }

    private static StateBatch batch(long nextOffset, String id) {
        return new StateBatch(List.of(new StateChange.Upsert("customer", id, 1, new HlcTimestamp(1, 0), "sales", false,
                CUSTOMERS.record("Ada"), Instant.EPOCH)), Map.of(PARTITION, nextOffset));
    }
}
