package dev.concord.consumer;

import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.util.Map;

/**
 * The whole replica service on a fresh database of the test PostgreSQL, in a consumer group of its own, and a
 * publisher of its state topics on the test broker: what the service-level tests start.
 */
public record ReplicaUnderTest(TestTypes types, StatePublisher publisher, ReplicaDatabase database, RunningReplica replica)
        implements AutoCloseable {

    /** @param settings service settings on top of the test defaults, e.g. {@code concord.feed.stall-timeout} */
    public static ReplicaUnderTest start(TestTypes types, Map<String, Object> settings) {
        String jdbcUrl = PostgresExtension.createDatabase();
        StatePublisher publisher = StatePublisher.connect(KafkaBrokerExtension.bootstrapServers(), types);
        try {
            return new ReplicaUnderTest(types, publisher, new ReplicaDatabase(jdbcUrl), RunningReplica.start(
                    KafkaBrokerExtension.bootstrapServers(), jdbcUrl, KafkaTestClients.uniqueId("replica"), types, settings));
        } catch (RuntimeException e) {
            try {
                publisher.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            replica.close();
        } finally {
            publisher.close();
        }
    }
}
