package dev.concord.processor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.local.kafka.EmbeddedKafkaBroker;
import dev.concord.processor.runtime.HangingTransactions.Hanging;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction whose partitions had no leader while it committed is left open on them for good (the coordinator skips
 * their markers), and {@link HangingTransactions} finds it. Two real brokers: the coordinators' and a second one that
 * holds the processor's output; stopping the second while a transaction commits leaves it hanging there.
 */
class HangingTransactionsBrokerTest {

    private static final String IN = "in";
    private static final TopicPartition IN_0 = new TopicPartition(IN, 0);

    @TempDir
    static Path dataDirs;
    private static EmbeddedKafkaBroker coordinators;
    private static EmbeddedKafkaBroker second;
    private static Admin admin;

    @BeforeAll
    static void startTwoBrokers() throws Exception {
        coordinators = EmbeddedKafkaBroker.builder().dataDir(dataDirs.resolve("node-1")).start();
        // The transaction log first, while the coordinators' broker is alone: every transaction coordinator lives there.
        try (KafkaProducer<String, String> first = producer("creates-the-transaction-log")) {
            first.initTransactions();
        }
        second = EmbeddedKafkaBroker.builder().dataDir(dataDirs.resolve("node-2")).joining(coordinators, 2).start();
        admin = Admin.create(Map.of("bootstrap.servers", coordinators.bootstrapServers()));
        // The group offsets topic now, spread over both brokers: a group's offsets can live on either.
        admin.listConsumerGroupOffsets("creates-the-offsets-topic").all().get(30, TimeUnit.SECONDS);
        admin.createTopics(List.of(new NewTopic(IN, Map.of(0, List.of(1))))).all().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopBrokers() {
        admin.close(Duration.ZERO);
        second.close();
        coordinators.close();
    }

    @Test
    void abortsATransactionWhoseOutputAndInputOffsetsBothHangSoItsInputIsReadAgain() throws Exception {
        String out = outputTopicOnTheSecondBroker("out-redo");
        String group = groupWithOffsetsOn("redo", second.nodeId());

        commitWhileTheSecondBrokerIsDown("redo", out, group);

        TopicPartition out0 = new TopicPartition(out, 0);
        List<Hanging> hanging = finder(group, out).find();
        assertThat(hanging).extracting(Hanging::partition).as("the offsets last: aborted last")
                .containsExactly(out0, offsetsPartitionOf(group));
        assertThat(hanging).allMatch(Hanging::redoable);
        assertThat(lastStableOffset(out0)).as("read_committed readers stop at the open transaction").isZero();

        for (Hanging h : hanging) {
            finder(group, out).abort(h);
        }

        assertThat(lastStableOffset(out0)).as("the partition reads to its end again").isPositive();
        assertThat(committedRecords(out0)).as("what the transaction wrote is aborted").isEmpty();
        assertThat(committedOffset(group)).as("its input offsets too: the input is read again").isNull();
        assertThat(finder(group, out).find()).isEmpty();
    }

    @Test
    void reportsButDoesNotCountAsRedoableATransactionWhoseInputOffsetsCommitted() throws Exception {
        String out = outputTopicOnTheSecondBroker("out-report");
        String group = groupWithOffsetsOn("report", coordinators.nodeId());

        commitWhileTheSecondBrokerIsDown("report", out, group);

        List<Hanging> hanging = finder(group, out).find();
        assertThat(hanging).extracting(Hanging::partition).containsExactly(new TopicPartition(out, 0));
        assertThat(hanging).noneMatch(Hanging::redoable);
        assertThat(hanging.get(0).abortCommand()).contains("--topic " + out + " --partition 0 --start-offset 0");
        assertThat(committedOffset(group).offset()).isEqualTo(7);
    }

    @Test
    void findsNothingWhileATransactionIsStillOpenOrOnceItCommitted() throws Exception {
        String out = outputTopicOnTheSecondBroker("out-live");
        String group = groupWithOffsetsOn("live", second.nodeId());
        try (KafkaProducer<String, String> producer = producer("live")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(out, "k", "v")).get(30, TimeUnit.SECONDS);
            producer.sendOffsetsToTransaction(Map.of(IN_0, new OffsetAndMetadata(3)), new ConsumerGroupMetadata(group));

            assertThat(finder(group, out).find()).as("open, and its coordinator still has it").isEmpty();

            producer.commitTransaction();
        }
        assertThat(finder(group, out).find()).isEmpty();
        assertThat(committedRecords(new TopicPartition(out, 0))).containsExactly("v");
    }

    @Test
    void theWatchAbortsTheRedoableAndReportsTheRestUnlessAbortingIsOff() throws Exception {
        String redo = outputTopicOnTheSecondBroker("out-watch-redo");
        String report = outputTopicOnTheSecondBroker("out-watch-report");
        String redoGroup = groupWithOffsetsOn("watch-redo", second.nodeId());
        String reportGroup = groupWithOffsetsOn("watch-report", coordinators.nodeId());
        commitWhileTheSecondBrokerIsDown("watch-redo", redo, redoGroup);
        commitWhileTheSecondBrokerIsDown("watch-report", report, reportGroup);

        HangingTransactionsWatch hands = HangingTransactionsWatch.start(finder(redoGroup, redo), false, Duration.ofDays(1));
        HangingTransactionsWatch aborts = HangingTransactionsWatch.start(finder(redoGroup, redo), true, Duration.ofDays(1));
        HangingTransactionsWatch reports = HangingTransactionsWatch.start(finder(reportGroup, report), true, Duration.ofDays(1));
        try {
            assertThat(hands.check()).as("aborting off: reported, left open").hasSize(2);
            assertThat(hands.hangingCount()).isEqualTo(2);

            assertThat(aborts.check()).isEmpty();
            assertThat(aborts.hangingCount()).isZero();
            assertThat(lastStableOffset(new TopicPartition(redo, 0))).isPositive();

            assertThat(reports.check()).extracting(Hanging::partition).containsExactly(new TopicPartition(report, 0));
            assertThat(reports.hangingCount()).isEqualTo(1);
            assertThat(lastStableOffset(new TopicPartition(report, 0))).isZero();
        } finally {
            hands.close();
            aborts.close();
            reports.close();
        }
    }

    /** Begins a transaction that writes {@code out} and the group's input offsets, then commits it with the second broker down. */
    private static void commitWhileTheSecondBrokerIsDown(String transactionalId, String out, String group) throws Exception {
        try (KafkaProducer<String, String> producer = producer(transactionalId)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(out, "k", "v")).get(30, TimeUnit.SECONDS);
            producer.sendOffsetsToTransaction(Map.of(IN_0, new OffsetAndMetadata(7)), new ConsumerGroupMetadata(group));
            second.close();
            producer.commitTransaction();
        } finally {
            second = second.restart();
        }
    }

    private static HangingTransactions finder(String group, String out) {
        return new HangingTransactions(admin, group, () -> Set.of(out), Duration.ZERO, Clock.systemUTC());
    }

    private static String outputTopicOnTheSecondBroker(String name) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, Map.of(0, List.of(second.nodeId()))))).all().get(30, TimeUnit.SECONDS);
        return name;
    }

    /** A group id whose offsets the coordinator keeps on a partition that {@code node} leads. */
    private static String groupWithOffsetsOn(String name, int node) throws Exception {
        TopicDescription offsets = admin.describeTopics(List.of(Topic.GROUP_METADATA_TOPIC_NAME)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(Topic.GROUP_METADATA_TOPIC_NAME);
        for (int i = 0; ; i++) {
            String group = name + "-" + i;
            int partition = Utils.abs(group.hashCode()) % offsets.partitions().size();
            if (offsets.partitions().get(partition).leader().id() == node) {
                return group;
            }
        }
    }

    private static TopicPartition offsetsPartitionOf(String group) throws Exception {
        int partitions = admin.describeTopics(List.of(Topic.GROUP_METADATA_TOPIC_NAME)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(Topic.GROUP_METADATA_TOPIC_NAME).partitions().size();
        return new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, Utils.abs(group.hashCode()) % partitions);
    }

    private static OffsetAndMetadata committedOffset(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).get(IN_0);
    }

    private static long lastStableOffset(TopicPartition partition) {
        try (KafkaConsumer<String, String> reader = readCommitted()) {
            return reader.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
        }
    }

    private static List<String> committedRecords(TopicPartition partition) {
        try (KafkaConsumer<String, String> reader = readCommitted()) {
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            long end = reader.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
            List<String> values = new java.util.ArrayList<>();
            while (reader.position(partition, Duration.ofSeconds(30)) < end) {
                reader.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            return values;
        }
    }

    private static KafkaConsumer<String, String> readCommitted() {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", coordinators.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer());
    }

    private static KafkaProducer<String, String> producer(String transactionalId) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", coordinators.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId, ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000),
                new StringSerializer(), new StringSerializer());
    }
}
