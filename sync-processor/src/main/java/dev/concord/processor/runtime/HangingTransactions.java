package dev.concord.processor.runtime;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;

/**
 * Finds the transactions left open on the partitions this processor writes after their coordinator has finished with
 * them, and says for each what aborting it would do.
 *
 * <p>A transaction coordinator that finds no leader for one of a transaction's partitions while it writes the commit or
 * abort markers takes the partition for deleted: it skips the marker there and records the transaction as complete.
 * The partition then holds an open transaction no one will close. Its last stable offset stops there, so
 * {@code read_committed} readers wait for ever: the replicas on a state topic, and the stream threads fetching their
 * group's committed offsets ({@code UnstableOffsetCommitException}) when it is the group's offsets partition. It
 * happens when a partition's only in-sync replica stops while a transaction that wrote to it ends: a broker restart
 * under replication factor 1, as in the local stack and the benchmark's fault campaign. Kafka's own remedy is
 * {@code kafka-transactions.sh find-hanging} and {@code abort}; this finds them the same way, for the partitions Concord
 * writes.
 *
 * <p>A transaction is hanging here when it has been seen open on a partition, unchanged (same producer, epoch and first
 * offset), for {@code silentFor} (the coordinator aborts a live transaction after its timeout, ten seconds under Kafka
 * Streams), and the coordinator holds no transaction of that producer still writing to or completing on that partition.
 * On the group's offsets partition, which other groups share, only this application's own transactions count (their
 * transactional ids are its stream threads', or they also hang on a topic it writes).
 *
 * <p>Only one kind is aborted here: a transaction its coordinator decided to abort ({@link Remedy#ABORT}). Writing the
 * abort marker it skipped completes the coordinator's own decision, so nothing is lost whatever the readers and the
 * stream threads' stores hold. A transaction the coordinator committed should have had a commit marker, which no Kafka
 * API writes; aborting it instead drops what it wrote, and is safe only as the runbook's whole procedure (see
 * {@link Remedy#REDO}), so it is reported for an operator.
 */
final class HangingTransactions {

    /** The coordinator still owns a transaction in these states and will close it on the partitions it names. */
    private static final Set<TransactionState> IN_FLIGHT = EnumSet.of(TransactionState.ONGOING,
            TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT, TransactionState.PREPARE_EPOCH_FENCE);
    private static final long TIMEOUT_SECONDS = 30;

    /** What may be done about a hanging transaction. */
    enum Remedy {
        ABORT("its coordinator aborted it and skipped the marker here: writing that abort marker completes the "
                + "coordinator's own decision, and loses nothing"),
        REDO("its coordinator committed it (or no longer says), and its commit of the input offsets hangs too: stop "
                + "every processor instance, delete their state directories, abort it on each partition, the offsets "
                + "last, and start them, so its input is read again over stores rebuilt from the state topics"),
        OPERATOR("its commit of the input offsets does not hang, or it is not this processor's: aborting it drops what "
                + "it wrote there"),
        UNKNOWN("this processor may not look at every partition such a transaction writes, so it cannot tell what "
                + "aborting it would lose");

        private final String meaning;

        Remedy(String meaning) {
            this.meaning = meaning;
        }

        String meaning() {
            return meaning;
        }
    }

    /** One partition of a transaction that no coordinator will close. */
    record Hanging(TopicPartition partition, long producerId, short producerEpoch, int coordinatorEpoch, long startOffset,
                   Remedy remedy) {

        /** What an operator runs to abort it by hand, as Kafka documents. */
        String abortCommand() {
            return "kafka-transactions.sh --bootstrap-server <broker> abort --topic " + partition.topic()
                    + " --partition " + partition.partition() + " --start-offset " + startOffset;
        }

        @Override
        public String toString() {
            return partition + " from offset " + startOffset + " (producer " + producerId + ", epoch " + producerEpoch + ")";
        }
    }

    /**
     * What one look found: the hanging transactions, the written topics' partitions first and the group's offsets
     * partition last (the order the runbook aborts them in), and the topics it could not look at, each with why.
     */
    /**
     * @param partitionsLookedAt the partitions of the written topics whose open transactions could be read: none means
     *                           the look saw nothing of what the processor writes (every topic refused, or none there),
     *                           which is not a look
     */
    record Findings(List<Hanging> hanging, Set<String> notDescribed, int partitionsLookedAt) {
    }

    private final Admin admin;
    private final String applicationId;
    private final Set<String> writtenTopics;
    // The written topics and __consumer_offsets, described together at each look.
    private final Set<String> describedTopics;
    private final Duration silentFor;
    private final Clock clock;
    private final Pattern streamThreadIds;
    private final Map<OpenTransaction, Sighting> seen = new HashMap<>();

    /**
     * @param applicationId the Kafka Streams application id: the group whose offsets the transactions commit, and the
     *                      prefix of its transactional ids ({@code <application id>-<process id>-<thread>})
     * @param writtenTopics the topics the transactions may write (one the broker does not have is skipped)
     */
    HangingTransactions(Admin admin, String applicationId, Set<String> writtenTopics, Duration silentFor, Clock clock) {
        this.admin = admin;
        this.applicationId = applicationId;
        this.streamThreadIds = Pattern.compile(Pattern.quote(applicationId) + "-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}-\\d+");
        this.writtenTopics = Set.copyOf(writtenTopics);
        Set<String> looked = new HashSet<>(writtenTopics);
        looked.add(Topic.GROUP_METADATA_TOPIC_NAME);
        this.describedTopics = Set.copyOf(looked);
        this.silentFor = silentFor;
        this.clock = clock;
    }

    /** Looks once. Not thread-safe: one caller (the watch's thread). */
    Findings find() throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> notDescribed = new TreeSet<>();
        Map<String, List<TopicPartition>> described = partitionsOf(describedTopics, notDescribed);
        Optional<TopicPartition> offsets = offsetsPartition(described.getOrDefault(Topic.GROUP_METADATA_TOPIC_NAME, List.of()));
        List<TopicPartition> watched = new ArrayList<>();
        writtenTopics.forEach(topic -> watched.addAll(described.getOrDefault(topic, List.of())));
        offsets.ifPresent(watched::add);
        List<OpenTransaction> open = new ArrayList<>();
        Set<TopicPartition> said = openTransactions(watched, notDescribed, open);
        // The written topics' partitions that said: the offsets partition alone is not a look at what this processor writes.
        int lookedAt = (int) said.stream().filter(partition -> !offsets.equals(Optional.of(partition))).count();
        seen.keySet().retainAll(open);
        if (open.isEmpty()) {
            return new Findings(List.of(), Set.copyOf(notDescribed), lookedAt);
        }
        List<OpenTransaction> abandoned = abandoned(open);
        Predicate<OpenTransaction> onOffsets = t -> offsets.equals(Optional.of(t.partition()));
        Set<ProducerAndEpoch> onWrittenTopics = new HashSet<>();
        abandoned.stream().filter(onOffsets.negate()).forEach(t -> onWrittenTopics.add(t.producer()));
        // Other groups share the offsets partition: a transaction there is this application's business when its
        // transactional id is, or when it also hangs on a topic this application writes.
        abandoned = abandoned.stream()
                .filter(t -> !onOffsets.test(t) || seen.get(t).ours || onWrittenTopics.contains(t.producer()))
                .toList();
        Set<ProducerAndEpoch> offsetsHang = new HashSet<>();
        abandoned.stream().filter(onOffsets).forEach(t -> offsetsHang.add(t.producer()));
        boolean sawEverything = offsets.isPresent() && notDescribed.isEmpty();
        List<Hanging> hanging = abandoned.stream().map(t -> new Hanging(t.partition(), t.producer().id(), t.producer().epoch(),
                t.coordinatorEpoch(), t.startOffset(), remedy(seen.get(t), sawEverything, offsetsHang.contains(t.producer()))))
                .toList();
        return new Findings(hanging, Set.copyOf(notDescribed), lookedAt);
    }

    /**
     * Of {@code open}, those seen open, unchanged, for {@code silentFor} that the coordinator no longer holds. Learns
     * from the coordinator at every sighting, as its later answers forget: once the stream thread starts again, its
     * transactional id shows the new producer session, not how the abandoned transaction ended.
     */
    private List<OpenTransaction> abandoned(List<OpenTransaction> open) throws ExecutionException, InterruptedException,
            TimeoutException {
        long now = clock.millis();
        Map<Long, Writer> writers = coordinatorView(open);
        boolean epochPerTransaction = transactionVersion() >= 2;
        List<OpenTransaction> abandoned = new ArrayList<>();
        for (OpenTransaction t : open) {
            Writer writer = writers.get(t.producer().id());
            Sighting sighting = seen.computeIfAbsent(t, k -> new Sighting(now));
            sighting.ours |= ours(writer);
            sighting.abortedByItsCoordinator |= epochPerTransaction && abortedByItsCoordinator(t, writer);
            if (now - sighting.firstSeen >= silentFor.toMillis() && !stillInFlight(t, writer)) {
                abandoned.add(t);
            }
        }
        return abandoned;
    }

    /** Writes an abort marker for {@code hanging} on its partition (needs the {@code ClusterAction} permission). */
    void abort(Hanging hanging) throws ExecutionException, InterruptedException, TimeoutException {
        admin.abortTransaction(new AbortTransactionSpec(hanging.partition(), hanging.producerId(), hanging.producerEpoch(),
                hanging.coordinatorEpoch())).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static Remedy remedy(Sighting sighting, boolean sawEverything, boolean offsetsHang) {
        if (sighting.abortedByItsCoordinator) {
            return Remedy.ABORT;
        }
        if (!sawEverything) {
            return Remedy.UNKNOWN;
        }
        return offsetsHang && sighting.ours ? Remedy.REDO : Remedy.OPERATOR;
    }

    /**
     * Whether the coordinator's last word on the producer is this very transaction, aborted. Under transaction version
     * 2 each transaction ends by raising the producer's epoch by one, so an abort completed at the epoch after the one
     * the partition holds is that transaction's. (Under earlier versions an epoch spans many transactions: it cannot
     * tell.)
     */
    private static boolean abortedByItsCoordinator(OpenTransaction open, Writer writer) {
        return writer != null && writer.description().state() == TransactionState.COMPLETE_ABORT
                && writer.description().producerEpoch() == open.producer().epoch() + 1;
    }

    /** Kafka Streams names a stream thread's transactional id {@code <application id>-<process id>-<thread index>}. */
    private boolean ours(Writer writer) {
        return writer != null && streamThreadIds.matcher(writer.transactionalId()).matches();
    }

    /** The cluster's finalised {@code transaction.version}: 2 and up raise the producer's epoch at every transaction's end. */
    private short transactionVersion() throws ExecutionException, InterruptedException, TimeoutException {
        FinalizedVersionRange version = admin.describeFeatures().featureMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .finalizedFeatures().get("transaction.version");
        return version == null ? 0 : version.maxVersionLevel();
    }

    /**
     * Whether the coordinator still owns the transaction open on that partition: it has one of that producer in flight
     * that names the partition, or that is the very one open there (same epoch: the coordinator's list of partitions
     * can trail what the partition already holds).
     */
    private static boolean stillInFlight(OpenTransaction open, Writer writer) {
        if (writer == null) {
            return false;
        }
        TransactionDescription now = writer.description();
        return IN_FLIGHT.contains(now.state())
                && (now.topicPartitions().contains(open.partition()) || now.producerEpoch() == open.producer().epoch());
    }

    /**
     * Of the partitions of {@code __consumer_offsets} (none when it may not be described), the one that holds the
     * group's offsets, as the group coordinator places them.
     */
    private Optional<TopicPartition> offsetsPartition(List<TopicPartition> all) {
        return all.isEmpty() ? Optional.empty()
                : Optional.of(new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, Utils.abs(applicationId.hashCode()) % all.size()));
    }

    /** The partitions of each of {@code topics} that can be described, in one request; the others are left out. */
    private Map<String, List<TopicPartition>> partitionsOf(Set<String> topics, Set<String> notDescribed)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, List<TopicPartition>> partitions = new HashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                partitions.put(topic.getKey(), topic.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).partitions().stream()
                        .map(p -> new TopicPartition(topic.getKey(), p.partition())).toList());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AuthorizationException) {
                    notDescribed.add(topic.getKey() + " (not allowed)");
                } else if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                // A topic not created yet (the dead letters before the first, a changelog no store writes) holds nothing.
            }
        }
        return partitions;
    }

    /**
     * The transactions open on {@code partitions}, added to {@code open}; returns the partitions that said. A partition
     * that cannot say (not allowed, or no leader just now) is noted in {@code notDescribed}: its transactions go unseen
     * this time.
     */
    private Set<TopicPartition> openTransactions(Collection<TopicPartition> partitions, Set<String> notDescribed,
                                                 List<OpenTransaction> open) throws InterruptedException, TimeoutException {
        Set<TopicPartition> said = new HashSet<>();
        DescribeProducersResult result = admin.describeProducers(partitions);
        for (TopicPartition partition : partitions) {
            PartitionProducerState state;
            try {
                state = result.partitionResult(partition).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                notDescribed.add(partition.topic() + (e.getCause() instanceof AuthorizationException ? " (not allowed)"
                        : " (" + e.getCause().getClass().getSimpleName() + ")"));
                continue;
            }
            said.add(partition);
            for (ProducerState p : state.activeProducers()) {
                if (p.currentTransactionStartOffset().isPresent()) {
                    open.add(new OpenTransaction(partition, new ProducerAndEpoch(p.producerId(), (short) p.producerEpoch()),
                            p.coordinatorEpoch().orElse(-1), p.currentTransactionStartOffset().getAsLong()));
                }
            }
        }
        return said;
    }

    /** Per producer id of {@code open}, the transactional id it now belongs to and the coordinator's view of it, if any. */
    private Map<Long, Writer> coordinatorView(List<OpenTransaction> open)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<Long> producerIds = new HashSet<>();
        open.forEach(t -> producerIds.add(t.producer().id()));
        Set<String> ids = new HashSet<>();
        for (TransactionListing listing : admin.listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds))
                .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            ids.add(listing.transactionalId());
        }
        Map<Long, Writer> byProducer = new HashMap<>();
        if (!ids.isEmpty()) {
            admin.describeTransactions(ids).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .forEach((id, d) -> byProducer.put(d.producerId(), new Writer(id, d)));
        }
        return byProducer;
    }

    private record ProducerAndEpoch(long id, short epoch) {
    }

    /**
     * What the looks learnt of one open transaction (producer, epoch, first offset) since it was first seen. The flags
     * only ever turn on: how the coordinator ended a transaction does not change, and an open range that newer data
     * joins is another key.
     */
    private static final class Sighting {
        final long firstSeen;
        boolean ours;
        boolean abortedByItsCoordinator;

        Sighting(long firstSeen) {
            this.firstSeen = firstSeen;
        }
    }

    /** A transactional id and what its coordinator says of it now. */
    private record Writer(String transactionalId, TransactionDescription description) {
    }

    private record OpenTransaction(TopicPartition partition, ProducerAndEpoch producer, int coordinatorEpoch, long startOffset) {
    }
}
