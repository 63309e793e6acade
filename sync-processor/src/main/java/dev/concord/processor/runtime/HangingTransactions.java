package dev.concord.processor.runtime;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;

/**
 * Finds the transactions left open on the partitions this processor writes after their coordinator has finished with
 * them, and aborts those whose input the processor will read again.
 *
 * <p>A transaction coordinator that cannot find a leader for one of a transaction's partitions while it sends the
 * commit or abort markers takes the partition for deleted: it skips the marker and records the transaction as
 * complete. The partition then holds an open transaction that no one will close. Its last stable offset stops there, so
 * {@code read_committed} readers (the replicas on a state topic, a stream thread fetching its group's committed offsets,
 * which fails with {@code UnstableOffsetCommitException}) wait for ever. It happens when a partition's only in-sync
 * replica stops while a transaction that wrote to it commits: a broker restart under replication factor 1, as in the
 * local stack and the benchmark's fault campaign. Kafka's own remedy is {@code kafka-transactions.sh find-hanging} and
 * {@code abort}; this does the same, for the partitions Concord writes.
 *
 * <p>A transaction is hanging here when it is open on a partition, its producer has written nothing there for
 * {@code silentFor} (the coordinator aborts a live transaction after its timeout, ten seconds under Kafka Streams), and
 * the coordinator holds no transaction of that producer still writing to or completing on that partition.
 *
 * <p>Aborting loses what the transaction wrote, so only a <em>redoable</em> one is aborted on its own: one whose
 * commit of the group's input offsets hangs too. Aborted whole, its input is read again and everything it wrote is
 * written again (parts that did commit come again as copies, which the entity's recent event ids drop). A transaction
 * whose offsets did commit but whose output hangs is reported, not aborted: aborting it would drop a state record.
 */
final class HangingTransactions {

    /** The coordinator still owns a transaction in these states and will close it on the partitions it names. */
    private static final Set<TransactionState> IN_FLIGHT = EnumSet.of(TransactionState.ONGOING,
            TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT, TransactionState.PREPARE_EPOCH_FENCE);
    private static final long TIMEOUT_SECONDS = 30;

    /** One partition of a transaction that no coordinator will close. */
    record Hanging(TopicPartition partition, long producerId, short producerEpoch, int coordinatorEpoch, long startOffset,
                   boolean redoable) {

        /** What an operator runs to abort it by hand, as Kafka documents. */
        String abortCommand() {
            return "kafka-transactions.sh --bootstrap-server <broker> abort --topic " + partition.topic()
                    + " --partition " + partition.partition() + " --start-offset " + startOffset;
        }

        @Override
        public String toString() {
            return partition + " from offset " + startOffset + " (producer " + producerId + ", epoch " + producerEpoch
                    + (redoable ? ", its input offsets hang too: redoable)" : ", its input offsets committed)");
        }
    }

    private final Admin admin;
    private final String groupId;
    private final Supplier<Set<String>> writtenTopics;
    private final Duration silentFor;
    private final Clock clock;
    private volatile Set<TopicPartition> notDescribable = Set.of();

    /**
     * @param groupId       the consumer group whose offsets the transactions commit (the Kafka Streams application id)
     * @param writtenTopics the topics the transactions write, read at each {@link #find()}
     */
    HangingTransactions(Admin admin, String groupId, Supplier<Set<String>> writtenTopics, Duration silentFor, Clock clock) {
        this.admin = admin;
        this.groupId = groupId;
        this.writtenTopics = writtenTopics;
        this.silentFor = silentFor;
        this.clock = clock;
    }

    /** The hanging transactions on the written topics' partitions and the group's offsets partition, in that order. */
    List<Hanging> find() throws ExecutionException, InterruptedException, TimeoutException {
        TopicPartition offsets = offsetsPartition();
        List<TopicPartition> watched = new ArrayList<>(partitionsOf(writtenTopics.get()));
        watched.add(offsets);
        List<OpenTransaction> open = silentOpenTransactions(watched);
        if (open.isEmpty()) {
            return List.of();
        }
        Set<OpenTransaction> inFlight = stillInFlight(open);
        List<OpenTransaction> abandoned = open.stream().filter(t -> !inFlight.contains(t)).toList();
        Set<ProducerAndEpoch> offsetsHang = new HashSet<>();
        abandoned.stream().filter(t -> t.partition().equals(offsets)).forEach(t -> offsetsHang.add(t.producer()));
        return abandoned.stream().map(t -> new Hanging(t.partition(), t.producer().id(), t.producer().epoch(),
                t.coordinatorEpoch(), t.startOffset(), offsetsHang.contains(t.producer()))).toList();
    }

    /** Writes an abort marker for {@code hanging} on its partition (needs the {@code ClusterAction} permission). */
    void abort(Hanging hanging) throws ExecutionException, InterruptedException, TimeoutException {
        admin.abortTransaction(new AbortTransactionSpec(hanging.partition(), hanging.producerId(), hanging.producerEpoch(),
                hanging.coordinatorEpoch())).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** The {@code __consumer_offsets} partition that holds the group's offsets, as the group coordinator places them. */
    private TopicPartition offsetsPartition() throws ExecutionException, InterruptedException, TimeoutException {
        int partitions = admin.describeTopics(List.of(Topic.GROUP_METADATA_TOPIC_NAME)).allTopicNames()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(Topic.GROUP_METADATA_TOPIC_NAME).partitions().size();
        return new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, Utils.abs(groupId.hashCode()) % partitions);
    }

    private List<TopicPartition> partitionsOf(Set<String> topics) throws ExecutionException, InterruptedException, TimeoutException {
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).values()) {
            topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
        }
        return partitions;
    }

    /**
     * The transactions open on {@code partitions} whose producer has written nothing there for {@code silentFor}. A
     * partition this client may not describe (reading the producers needs {@code Read} on the topic) is left out and
     * noted in {@link #notDescribable()}.
     */
    private List<OpenTransaction> silentOpenTransactions(Collection<TopicPartition> partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        long silentSince = clock.millis() - silentFor.toMillis();
        List<OpenTransaction> open = new ArrayList<>();
        Set<TopicPartition> refused = new HashSet<>();
        DescribeProducersResult result = admin.describeProducers(partitions);
        for (TopicPartition partition : partitions) {
            PartitionProducerState state;
            try {
                state = result.partitionResult(partition).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AuthorizationException) {
                    refused.add(partition);
                    continue;
                }
                throw e;
            }
            for (ProducerState p : state.activeProducers()) {
                if (p.currentTransactionStartOffset().isPresent() && p.lastTimestamp() <= silentSince) {
                    open.add(new OpenTransaction(partition, new ProducerAndEpoch(p.producerId(), (short) p.producerEpoch()),
                            p.coordinatorEpoch().orElse(-1), p.currentTransactionStartOffset().getAsLong()));
                }
            }
        }
        notDescribable = Set.copyOf(refused);
        return open;
    }

    /** The partitions the last {@link #find()} was not allowed to look at (their hanging transactions go unseen). */
    Set<TopicPartition> notDescribable() {
        return notDescribable;
    }

    /**
     * Of {@code open}, those whose producer's coordinator still has a transaction writing to or completing on that
     * partition: its marker will close what is open there (a marker ends everything its producer left open on the
     * partition, whatever the epoch it was written at).
     */
    private Set<OpenTransaction> stillInFlight(List<OpenTransaction> open)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<Long> producerIds = new HashSet<>();
        open.forEach(t -> producerIds.add(t.producer().id()));
        Set<String> inFlightIds = new HashSet<>();
        for (TransactionListing listing : admin.listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds))
                .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            if (IN_FLIGHT.contains(listing.state())) {
                inFlightIds.add(listing.transactionalId());
            }
        }
        if (inFlightIds.isEmpty()) {
            return Set.of();
        }
        Set<OpenTransaction> inFlight = new HashSet<>();
        for (TransactionDescription txn : admin.describeTransactions(inFlightIds).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).values()) {
            if (IN_FLIGHT.contains(txn.state())) {
                open.stream()
                        .filter(t -> t.producer().id() == txn.producerId() && txn.topicPartitions().contains(t.partition()))
                        .forEach(inFlight::add);
            }
        }
        return inFlight;
    }

    private record ProducerAndEpoch(long id, short epoch) {
    }

    private record OpenTransaction(TopicPartition partition, ProducerAndEpoch producer, int coordinatorEpoch, long startOffset) {
    }
}
