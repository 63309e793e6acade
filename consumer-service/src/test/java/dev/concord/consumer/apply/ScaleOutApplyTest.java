package dev.concord.consumer.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.consumer.ReplicaDatabase;
import dev.concord.consumer.store.EntityReader;
import dev.concord.consumer.store.ReplicaStore;
import dev.concord.consumer.store.StoredEntity;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several instances of one replica (one consumer group) applying into one store, on a real broker and a
 * real PostgreSQL: an instance that loses partitions to a newcomer mid-bootstrap stops waiting for them, one that
 * leaves mid-bootstrap hands its partitions over and the other still becomes ready and applies everything, and a
 * client following the change feed while both apply in parallel misses nothing. (How partitions of all types are
 * spread over instances: ReplicaScaleOutTest.)
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ScaleOutApplyTest {

    private static final Duration WITHIN = Duration.ofSeconds(90);
    private static final int ENTITIES_PER_TYPE = 6_000;

    @Test
    void shouldHandOverPartitionsOfAnInstanceThatLeavesMidBootstrapAndBecomeReadyWithEverythingApplied() throws Exception {
        TestTypes types = TestTypes.declare(3, "scale-a", "scale-b");
        String group = KafkaTestClients.uniqueId("scaled-replica");
        String jdbcUrl = PostgresExtension.createDatabase();
        ReplicaDatabase database = new ReplicaDatabase(jdbcUrl);
        DataSource dataSource = TestAppliers.migratedDataSource(jdbcUrl);
        publish(types);

        FeedFollower follower = new FeedFollower(new EntityReader(dataSource));
        CompletableFuture<Void> following = CompletableFuture.runAsync(follower);
        try (TestAppliers.Running first = TestAppliers.start(KafkaBrokerExtension.bootstrapServers(), types,
                new ReplicaStore(dataSource), group, 10)) {
            // Given one instance bootstrapping all six partitions of the two types
            await().atMost(WITHIN).until(() -> first.catchUp().progress().target().size() == 6);
            try (TestAppliers.Running second = TestAppliers.start(KafkaBrokerExtension.bootstrapServers(), types,
                    new ReplicaStore(dataSource), group, 10)) {
                // When a second joins, the first loses half its partitions mid-bootstrap and stops waiting for them
                await().atMost(WITHIN).until(() -> {
                    Set<?> a = new HashSet<>(first.catchUp().progress().target().keySet());
                    Set<?> b = second.catchUp().progress().target().keySet();
                    return a.size() == 3 && b.size() == 3 && !a.removeAll(b);
                });
                assertThat(first.catchUp().caughtUp() || second.catchUp().caughtUp()).as("both still bootstrapping").isFalse();

                // And the first leaves before it caught up
                first.close();

                // Then the second is ready, takes the first's partitions over, and applies everything
                await().atMost(WITHIN).until(() -> second.catchUp().caughtUp());
                await().atMost(WITHIN).until(() -> database.count(types.name(0)) + database.count(types.name(1)) == 2L * ENTITIES_PER_TYPE);
                assertThat(second.applier().status().lastFailure()).isNull();
            }
        } finally {
            follower.stop();
            following.get();
        }
        // And a client that followed the feed during the parallel apply missed no change
        await().atMost(WITHIN).until(() -> follower.drainOnce() == 0);
        assertThat(follower.seen()).hasSize(2 * ENTITIES_PER_TYPE);
    }

    private static void publish(TestTypes types) throws Exception {
        try (StatePublisher publisher = StatePublisher.connect(KafkaBrokerExtension.bootstrapServers(), types)) {
            for (String type : types.names()) {
                CustomerStates states = publisher.states(type);
                for (int i = 0; i < ENTITIES_PER_TYPE; i++) {
                    publisher.send(type, "c-" + i, states.live("c-" + i, 1, "Customer " + i));
                }
            }
            publisher.flush();
        }
    }

    /** A client of the change feed: reads everything after its cursor, again and again, and keeps what it saw. */
    private static final class FeedFollower implements Runnable {
        private final EntityReader reader;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Set<String> seen = new HashSet<>();
        private long cursor;

        FeedFollower(EntityReader reader) {
            this.reader = reader;
        }

        @Override
        public void run() {
            while (running.get()) {
                drainOnce();
            }
        }

        /** One read after the cursor; the number of changes it returned. */
        synchronized int drainOnce() {
            List<StoredEntity> changes = reader.changesAfter(cursor, List.of(), 500);
            for (StoredEntity change : changes) {
                assertThat(change.changeSeq()).as("the feed goes forward").isGreaterThan(cursor);
                cursor = change.changeSeq();
                seen.add(change.type() + "/" + change.id());
            }
            return changes.size();
        }

        synchronized Set<String> seen() {
            return Set.copyOf(seen);
        }

        void stop() {
            running.set(false);
        }
    }
}
