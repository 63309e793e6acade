package dev.concord.bench.measure;

import dev.concord.bench.oracle.Oracle;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.outcomes.DecisionHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Topics of the benchmark: creating them ready to write, how far a record-by-record reader gets, every committed record. */
final class Topics {

    private Topics() {
    }

    /**
     * Creates a topic and returns once every partition has a leader. A producer that writes to a topic the broker
     * is still electing leaders for meets NOT_LEADER_OR_FOLLOWER; seen here (Kafka 4.4, one broker), the idempotent
     * producer then retried OUT_OF_ORDER_SEQUENCE_NUMBER forever and the benchmark never ended.
     */
    static void create(Map<String, Object> kafka, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
            awaitLeaders(admin, topic, partitions);
        }
    }

    private static void awaitLeaders(Admin admin, String topic, int partitions) {
        Waiting.until("leaders for every partition of " + topic, Duration.ofSeconds(60), () -> {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
                return description.partitions().size() == partitions
                        && description.partitions().stream().allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
            } catch (Exception notYet) {
                return false;
            }
        });
    }

    /**
     * Deletes a compacted topic and creates it again, empty, with as many partitions. For a type's state topic between
     * two processor contenders on the same events: the state topic is the processor's store log, so a contender
     * started on a state topic another one filled would restore those states and find every event already applied.
     */
    static void recreateCompacted(Map<String, Object> kafka, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(kafka)) {
            try {
                admin.deleteTopics(List.of(topic)).all().get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            NewTopic compacted = new NewTopic(topic, partitions, (short) 1).configs(Map.of("cleanup.policy", "compact"));
            // Deletion completes asynchronously: creating the name again fails until it has.
            Waiting.until("creation of " + topic + " again", Duration.ofSeconds(60), () -> {
                try {
                    admin.createTopics(List.of(compacted)).all().get();
                    return true;
                } catch (Exception stillBeingDeleted) {
                    return false;
                }
            });
            awaitLeaders(admin, topic, partitions);
        }
    }

    static KafkaConsumer<byte[], byte[]> reader(Map<String, Object> kafka) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * The sum over partitions of (offset of the last committed record + 1): what a reader that stores
     * "last record + 1" (as replicas do) reaches once it has everything. Not the end offsets: under
     * exactly-once the last offsets of a partition are transaction markers, which no record offset covers,
     * so waiting for the end offsets would wait forever whenever they are read after the last commit.
     */
    static long totalNextRecordOffset(Map<String, Object> kafka, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = reader(kafka)) {
            long total = 0;
            for (TopicPartition partition : partitions(consumer, topic)) {
                total += nextRecordOffset(consumer, partition);
            }
            return total;
        }
    }

    /** Reads the partition's tail (from the beginning if the tail holds no record) for its last record's offset. */
    private static long nextRecordOffset(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition) {
        consumer.assign(List.of(partition));
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        long beginning = consumer.beginningOffsets(List.of(partition)).get(partition);
        for (long from : new long[] {Math.max(beginning, end - 1_000), beginning}) {
            consumer.seek(partition, from);
            long next = 0;
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    next = Math.max(next, record.offset() + 1);
                }
            }
            if (next > 0 || from == beginning) {
                return next;
            }
        }
        return 0;
    }

    /** Every committed record from the beginning to the end offsets as of now; returns how many were read. */
    static long readToEnd(Map<String, Object> kafka, String topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        try (KafkaConsumer<byte[], byte[]> consumer = reader(kafka)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long read = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    sink.accept(record);
                    read++;
                }
            }
            return read;
        }
    }

    static List<Oracle.StateRecord> stateRecords(Map<String, Object> kafka, ConcordContract contract, String topic) {
        List<Oracle.StateRecord> records = new ArrayList<>();
        readToEnd(kafka, topic, r -> records.add(new Oracle.StateRecord(new String(r.key()),
                contract.topics().stateSerde().deserializer().deserialize(topic, r.value()),
                r.headers().lastHeader(DecisionHeaders.DECIDED_EVENT) != null)));
        return records;
    }

    /** Every event on the topic, with where it landed: the truth of what the processor was given, whoever wrote it. */
    static dev.concord.bench.load.Ledger eventLedger(Map<String, Object> kafka, ConcordContract contract, String topic) {
        dev.concord.bench.load.Ledger ledger = new dev.concord.bench.load.Ledger();
        readToEnd(kafka, topic, r -> {
            if (r.value() != null) {
                ledger.record(new dev.concord.bench.load.Ledger.Accepted(
                        contract.topics().eventSerde().deserializer().deserialize(topic, r.value()), r.partition(), r.offset(), 0));
            }
        });
        return ledger;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }
}
