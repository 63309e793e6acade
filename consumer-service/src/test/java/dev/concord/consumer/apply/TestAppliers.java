package dev.concord.consumer.apply;

import dev.concord.consumer.feed.ChangeNotifier;
import dev.concord.consumer.store.ReplicaStore;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.ReplicatedTypes;
import dev.concord.replica.testing.TestTypes;
import dev.concord.replica.apply.CatchUpTracker;
import dev.concord.replica.apply.ReplicaConsumerConfig;
import dev.concord.replica.apply.ReplicaMetrics;
import dev.concord.replica.apply.StateApplier;
import dev.concord.replica.apply.StateRecordDecoder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A {@link StateApplier} on a real broker and a real database without the HTTP service around it: the
 * same consumer configuration, decoder and store as the service builds, for tests that start, crash
 * and restart appliers quickly.
 */
public final class TestAppliers {

    private TestAppliers() {
    }

    /** A running applier and what it reports. */
    public record Running(StateApplier applier, CatchUpTracker catchUp, ChangeNotifier notifier, ConcordContract contract)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            applier.close();
            contract.close();
        }
    }

    /** The current end offset of every partition of the topics. */
    public static Map<TopicPartition, Long> endOffsets(String bootstrapServers, List<String> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo info : consumer.partitionsFor(topic)) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            return new HashMap<>(consumer.endOffsets(partitions));
        }
    }

    /** A migrated store on the database at {@code jdbcUrl}. */
    public static DataSource migratedDataSource(String jdbcUrl) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(jdbcUrl);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        return dataSource;
    }

    /**
     * Starts an applier of every type in {@code types} with its own consumer group.
     *
     * @param maxPollRecords records per poll, so per transaction
     */
    public static Running start(String bootstrapServers, TestTypes types, ReplicaStore store, String groupId, int maxPollRecords) {
        EntityTypes declared = EntityTypes.load(types.location());
        ConcordContract contract = ConcordContract.connect(Map.of("bootstrap.servers", bootstrapServers), declared);
        ReplicatedTypes replicated = ReplicatedTypes.select(declared, List.of());
        Map<String, Object> config = ReplicaConsumerConfig.of(contract.kafkaClientConfig(),
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords), groupId, "consumer-service");
        StateRecordDecoder decoder = new StateRecordDecoder(replicated, contract.topics().stateSerde().deserializer(), contract.payloads());
        CatchUpTracker catchUp = new CatchUpTracker();
        ChangeNotifier notifier = new ChangeNotifier();
        StateApplier applier = new StateApplier(
                () -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                replicated.stateTopics(), decoder, store, notifier::committed, catchUp, ReplicaMetrics.NONE, Clock.systemUTC()).start();
        return new Running(applier, catchUp, notifier, contract);
    }
}
