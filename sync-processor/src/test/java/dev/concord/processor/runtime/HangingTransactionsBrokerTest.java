package dev.concord.processor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.local.kafka.EmbeddedKafkaBroker;
import dev.concord.processor.runtime.HangingTransactions.Hanging;
import dev.concord.processor.runtime.HangingTransactions.Remedy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
 * A transaction whose partitions had no leader while it ended (committed or aborted) is left open on them for good (the
 * coordinator skips their markers), and {@link HangingTransactions} finds it and says what aborting it would do. Two
 * real brokers: the coordinators' and a second one that holds the output; stopping the second while a transaction ends
 * leaves it hanging there.
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
    void abortsOnceSeenForSilentForATransactionItsCoordinatorAbortedWithoutClosingIt() throws Exception {
        String out = outputTopicOnTheSecondBroker("out-aborted");
        String group = groupWithOffsetsOn("aborted", second.nodeId());
        String thread = threadOf(group);
        endWhileTheSecondBrokerIsDown(thread, out, group, KafkaProducer::abortTransaction);
        TopicPartition out0 = new TopicPartition(out, 0);
        SettableClock clock = new SettableClock();
        HangingTransactions finder = new HangingTransactions(admin, group, Set.of(out), Duration.ofSeconds(60), clock);

        assertThat(finder.find().hanging()).as("first seen").isEmpty();
        // The stream thread starts again: its transactional id no longer says how that transaction ended.
        try (KafkaProducer<String, String> again = producer(thread)) {
            again.initTransactions();
        }
        clock.advance(Duration.ofSeconds(59));
        assertThat(finder.find().hanging()).as("open for 59 s").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        List<Hanging> hanging = finder.find().hanging();

        assertThat(hanging).extracting(Hanging::partition).containsExactly(out0, offsetsPartitionOf(group));
        assertThat(hanging).extracting(Hanging::remedy).containsOnly(Remedy.ABORT);
        assertThat(lastStableOffset(out0)).as("read_committed readers stop at the open transaction").isZero();

        for (Hanging h : hanging) {
            finder.abort(h);
        }

        assertThat(lastStableOffset(out0)).as("the partition reads to its end again").isPositive();
        assertThat(committedRecords(out0)).as("aborted, as its coordinator decided").isEmpty();
        assertThat(committedOffset(group)).as("its input offsets too").isNull();
        assertThat(finder.find().hanging()).isEmpty();
    }

    @Test
    void leavesToAnOperatorATransactionItsCoordinatorCommittedWhoseInputOffsetsHangToo() throws Exception {
        String out = outputTopicOnTheSecondBroker("out-redo");
        String group = groupWithOffsetsOn("redo", second.nodeId());

        endWhileTheSecondBrokerIsDown(threadOf(group), out, group, KafkaProducer::commitTransaction);

        List<Hanging> hanging = finder(group, out).find().hanging();
        assertThat(hanging).extracting(Hanging::partition).containsExactly(new TopicPartition(out, 0), offsetsPartitionOf(group));
        assertThat(hanging).extracting(Hanging::remedy).containsOnly(Remedy.REDO);
    }

    @Test
    void leavesToAnOperatorATransactionWhoseInputOffsetsCommitted() throws Exception {
        String out = outputTopicOnTheSecondBroker("out-report");
        String group = groupWithOffsetsOn("report", coordinators.nodeId());

        endWhileTheSecondBrokerIsDown(threadOf(group), out, group, KafkaProducer::commitTransaction);

        List<Hanging> hanging = finder(group, out).find().hanging();
        assertThat(hanging).extracting(Hanging::partition).containsExactly(new TopicPartition(out, 0));
        assertThat(hanging).extracting(Hanging::remedy).containsOnly(Remedy.OPERATOR);
        assertThat(hanging.get(0).abortCommand()).contains("--topic " + out + " --partition 0 --start-offset 0");
        assertThat(committedOffset(group).offset()).isEqualTo(7);
    }

    @Test
    void leavesAloneAnotherApplicationsTransactionOnTheOffsetsPartitionItShares() throws Exception {
        String ours = groupWithOffsetsOn("ours", second.nodeId());
        String theirs = groupOnTheSamePartitionAs(ours, "theirs");
        String theirOutput = outputTopicOnTheSecondBroker("out-theirs");
        endWhileTheSecondBrokerIsDown(threadOf(theirs), theirOutput, theirs, KafkaProducer::abortTransaction);

        assertThat(finder(theirs, theirOutput).find().hanging()).as("theirs, as their own watch sees it").hasSize(2);
        assertThat(finder(ours, outputTopicOnTheSecondBroker("out-ours")).find().hanging()).as("ours").isEmpty();
    }

    @Test
    void findsNothingWhileATransactionIsStillOpenOrOnceItCommitted() throws Exception {
        String out = outputTopicOnTheSecondBroker("out-live");
        String group = groupWithOffsetsOn("live", second.nodeId());
        try (KafkaProducer<String, String> producer = producer(threadOf(group))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(out, "k", "v")).get(30, TimeUnit.SECONDS);
            producer.sendOffsetsToTransaction(Map.of(IN_0, new OffsetAndMetadata(3)), new ConsumerGroupMetadata(group));

            assertThat(finder(group, out).find().hanging()).as("open, and its coordinator still has it").isEmpty();

            producer.commitTransaction();
        }
        assertThat(finder(group, out).find().hanging()).isEmpty();
        assertThat(committedRecords(new TopicPartition(out, 0))).containsExactly("v");
    }

    @Test
    void theWatchAbortsWhatItsCoordinatorAbortedAndReportsTheRest() throws Exception {
        String aborted = outputTopicOnTheSecondBroker("out-watch-aborted");
        String committed = outputTopicOnTheSecondBroker("out-watch-committed");
        String abortedGroup = groupWithOffsetsOn("watch-aborted", second.nodeId());
        String committedGroup = groupWithOffsetsOn("watch-committed", second.nodeId());
        endWhileTheSecondBrokerIsDown(threadOf(abortedGroup), aborted, abortedGroup, KafkaProducer::abortTransaction);
        endWhileTheSecondBrokerIsDown(threadOf(committedGroup), committed, committedGroup, KafkaProducer::commitTransaction);

        HangingTransactionsWatch abortingOff = HangingTransactionsWatch.start(finder(abortedGroup, aborted), false, Duration.ofDays(1));
        HangingTransactionsWatch aborting = HangingTransactionsWatch.start(finder(abortedGroup, aborted), true, Duration.ofDays(1));
        HangingTransactionsWatch leftToOperator = HangingTransactionsWatch.start(finder(committedGroup, committed), true, Duration.ofDays(1));
        try {
            assertThat(abortingOff.check()).as("aborting turned off: reported, left open").hasSize(2);
            assertThat(abortingOff.hangingCount()).isEqualTo(2);

            assertThat(aborting.check()).isEmpty();
            assertThat(aborting.hangingCount()).isZero();
            assertThat(lastStableOffset(new TopicPartition(aborted, 0))).isPositive();

            assertThat(leftToOperator.check()).extracting(Hanging::remedy).containsOnly(Remedy.REDO).hasSize(2);
            assertThat(leftToOperator.hangingCount()).isEqualTo(2);
            assertThat(lastStableOffset(new TopicPartition(committed, 0))).isZero();
        } finally {
            abortingOff.close();
            aborting.close();
            leftToOperator.close();
        }
    }

    @Test
    void theWatchSaysWhenItLastLookedAndALookThatFailsLeavesThatTime() throws Exception {
        SettableClock clock = new SettableClock();
        long started = clock.millis();
        String out = outputTopicOnTheSecondBroker("out-watch-looks");
        HangingTransactionsWatch live = HangingTransactionsWatch.start(finder("watch-looks", out), true, Duration.ofDays(1), clock);
        // Nothing answers on this port: each call gives up after its two-second timeout.
        Admin away = Admin.create(Map.of("bootstrap.servers", "localhost:" + freePort(), "default.api.timeout.ms", 2_000,
                "request.timeout.ms", 1_000));
        HangingTransactionsWatch blind = HangingTransactionsWatch.start(new HangingTransactions(away, "watch-looks", Set.of(out),
                Duration.ZERO, clock), true, Duration.ofDays(1), clock);
        try {
            assertThat(live.lastLookSeconds()).as("before its first look: its start").isEqualTo(started / 1000.0);

            clock.advance(Duration.ofMinutes(1));
            assertThat(live.check()).isEmpty();
            assertThat(live.lastLookSeconds()).isEqualTo((started + 60_000) / 1000.0);

            assertThatThrownBy(blind::check).isInstanceOf(java.util.concurrent.ExecutionException.class);
            assertThat(blind.lastLookSeconds()).as("a look that failed is no look").isEqualTo(started / 1000.0);

            // A look that could read no partition (here: none of its topics is there) saw nothing either
            HangingTransactionsWatch seesNothing = HangingTransactionsWatch.start(new HangingTransactions(admin, "watch-looks",
                    Set.of("no-such-topic"), Duration.ZERO, clock), true, Duration.ofDays(1), clock);
            try {
                double itsStart = seesNothing.lastLookSeconds();
                clock.advance(Duration.ofMinutes(1));
                assertThat(seesNothing.check()).isEmpty();
                assertThat(seesNothing.lastLookSeconds()).isEqualTo(itsStart);
            } finally {
                seesNothing.close();
            }
        } finally {
            live.close();
            blind.close();
            away.close(Duration.ZERO);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Begins a transaction that writes {@code out} and the group's input offsets, then ends it ({@code end}: commit or
     * abort) with the second broker down.
     */
    private static void endWhileTheSecondBrokerIsDown(String transactionalId, String out, String group,
                                                      Consumer<KafkaProducer<String, String>> end) throws Exception {
        try (KafkaProducer<String, String> producer = producer(transactionalId)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(out, "k", "v")).get(30, TimeUnit.SECONDS);
            producer.sendOffsetsToTransaction(Map.of(IN_0, new OffsetAndMetadata(7)), new ConsumerGroupMetadata(group));
            second.close();
            end.accept(producer);
        } finally {
            second = second.restart();
        }
    }

    /** A transactional id as Kafka Streams names a stream thread's: {@code <application id>-<process id>-<thread>}. */
    private static String threadOf(String applicationId) {
        return applicationId + "-" + UUID.randomUUID() + "-1";
    }

    private static HangingTransactions finder(String group, String out) {
        return new HangingTransactions(admin, group, Set.of(out), Duration.ZERO, Clock.systemUTC());
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
            if (offsets.partitions().get(offsetsPartitionOf(group).partition()).leader().id() == node) {
                return group;
            }
        }
    }

    /** Another group id whose offsets share {@code group}'s partition of the offsets topic. */
    private static String groupOnTheSamePartitionAs(String group, String name) throws Exception {
        for (int i = 0; ; i++) {
            if (offsetsPartitionOf(name + "-" + i).equals(offsetsPartitionOf(group))) {
                return name + "-" + i;
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
            List<String> values = new ArrayList<>();
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

    /** A clock the test moves. */
    private static final class SettableClock extends Clock {
        private final AtomicLong millis = new AtomicLong(System.currentTimeMillis());

        void advance(Duration by) {
            millis.addAndGet(by.toMillis());
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
