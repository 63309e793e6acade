package dev.concord.contract.outcomes;

import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.avro.WriteRef;
import dev.concord.contract.retry.Backoff;
import dev.concord.contract.topics.ConcordTopics;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what sync-processor decided about each write into {@link WriteOutcomes}, from the records it already writes
 * (no topic of its own, no record more per write): the state topics' {@link DecisionHeaders} say which write each state
 * applied, {@code concord.conflicts} which writes lost, {@code concord.rejected} which were refused.
 *
 * <p>Every instance reads every partition itself (assigned, no consumer group: each needs all outcomes, and needs no
 * group ACL), {@code read_committed} (an aborted transaction decided nothing), starting {@code retention} back in time
 * so that a restarted instance answers for writes decided before it started. On its own daemon thread; a broker outage
 * only delays it (the client reconnects), other failures are retried with back-off.
 */
public final class DecisionLedgerReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DecisionLedgerReader.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final Map<String, Object> kafkaClientConfig;
    private final Map<String, EntityType> typesByStateTopic = new HashMap<>();
    private final WriteOutcomes outcomes;
    private final Clock clock;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Deserializer<ConflictRecord> conflicts;
    private final Deserializer<RejectedEvent> rejections;
    private final Deserializer<EntityState> states;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean running = true;
    private volatile boolean reading;

    public DecisionLedgerReader(Map<String, Object> kafkaClientConfig, ConcordTopics topics, Collection<EntityType> types,
                                WriteOutcomes outcomes, Clock clock) {
        this.kafkaClientConfig = Map.copyOf(kafkaClientConfig);
        this.conflicts = topics.conflicts().valueSerde().deserializer();
        this.rejections = topics.rejected().valueSerde().deserializer();
        this.states = topics.stateSerde().deserializer();
        types.forEach(type -> typesByStateTopic.put(TopicNames.state(type.name()), type));
        this.outcomes = outcomes;
        this.clock = clock;
        this.thread = new Thread(this::run, "write-outcomes");
        this.thread.setDaemon(true);
    }

    public DecisionLedgerReader start() {
        thread.start();
        return this;
    }

    /** Whether it is assigned to every partition it reads and polling (false before that and while it recovers). */
    public boolean reading() {
        return reading;
    }

    private void run() {
        Backoff retry = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        while (running) {
            try (KafkaConsumer<byte[], byte[]> client = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer = client;
                if (!running) {
                    break;
                }
                List<TopicPartition> partitions = partitions(client);
                client.assign(partitions);
                seekToRetentionStart(client, partitions);
                reading = true;
                retry.reset();
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> record : client.poll(POLL)) {
                        read(record);
                    }
                }
            } catch (WakeupException stopping) {
                // close() woke the poll
            } catch (RuntimeException e) {
                reading = false;
                if (running) {
                    Duration next = retry.next();
                    LOG.warn("Reading write outcomes failed ({}); retrying in {} s", e.toString(), next.toSeconds());
                    sleepUnlessStopped(next);
                }
            }
        }
        reading = false;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(kafkaClientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "concord-write-outcomes-" + Long.toHexString(System.nanoTime()));
        return config;
    }

    /** Every partition of the ledgers; a topic not created yet is waited for (the processor or provisioning creates it). */
    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> client) {
        List<String> names = new ArrayList<>(typesByStateTopic.keySet());
        names.add(TopicNames.CONFLICTS);
        names.add(TopicNames.REJECTED);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String name : names) {
            List<PartitionInfo> infos = client.partitionsFor(name);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + name + " does not exist yet");
            }
            infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
        }
        return partitions;
    }

    private void seekToRetentionStart(KafkaConsumer<byte[], byte[]> client, List<TopicPartition> partitions) {
        long since = clock.millis() - outcomes.retention().toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(partition -> query.put(partition, since));
        Map<TopicPartition, OffsetAndTimestamp> found = client.offsetsForTimes(query);
        List<TopicPartition> none = new ArrayList<>();
        found.forEach((partition, offset) -> {
            if (offset == null) {
                none.add(partition);
            } else {
                client.seek(partition, offset.offset());
            }
        });
        client.seekToEnd(none);
    }

    void read(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone's expiry decides no write
        }
        try {
            if (TopicNames.CONFLICTS.equals(record.topic())) {
                outcomes.record(fromConflict(conflicts.deserialize(record.topic(), record.value())));
            } else if (TopicNames.REJECTED.equals(record.topic())) {
                outcomes.record(fromRejection(rejections.deserialize(record.topic(), record.value())));
            } else {
                String eventId = DecisionHeaders.decidedEvent(record.headers()).orElse(null);
                if (eventId != null) {
                    EntityState state = states.deserialize(record.topic(), record.value());
                    outcomes.record(new WriteOutcome(eventId, state.getEntityType(), state.getEntityId(), WriteOutcome.Status.APPLIED,
                            state.getVersion(), DecisionHeaders.lostFields(record.headers()), null, null, null, null,
                            state.getUpdatedAt()));
                }
            }
        } catch (RuntimeException e) {
            // One record this reader cannot read (e.g. a schema missing from the catalog) costs its outcome, not the others.
            LOG.warn("Skipped a record of {}-{} at offset {} while reading write outcomes: {}", record.topic(), record.partition(),
                    record.offset(), e.toString());
        }
    }

    private static WriteOutcome fromConflict(ConflictRecord conflict) {
        WriteRef winner = conflict.getWinner();
        boolean whole = conflict.getScope() == ConflictScope.RECORD;
        return new WriteOutcome(String.valueOf(conflict.getLoser().getEventId()), conflict.getEntityType(), conflict.getEntityId(),
                whole ? WriteOutcome.Status.SUPERSEDED : WriteOutcome.Status.APPLIED, conflict.getStateVersion(),
                conflict.getFields(), new WriteOutcome.Winner(winner.getEventId() == null ? null : String.valueOf(winner.getEventId()),
                winner.getClock().getPhysicalMillis(), winner.getClock().getLogical(), winner.getWriter()),
                conflict.getRule(), null, null, conflict.getDetectedAt());
    }

    private static WriteOutcome fromRejection(RejectedEvent rejected) {
        boolean duplicate = rejected.getReason() == RejectionReason.ALREADY_APPLIED;
        return new WriteOutcome(String.valueOf(rejected.getEvent().getEventId()), rejected.getEvent().getEntityType(),
                rejected.getEvent().getEntityId(), duplicate ? WriteOutcome.Status.DUPLICATE : WriteOutcome.Status.REJECTED,
                rejected.getCurrentVersion(), List.of(), null, null, rejected.getReason().name(), rejected.getDetail(),
                rejected.getRejectedAt());
    }

    private void sleepUnlessStopped(Duration duration) {
        try {
            closing.await(duration.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        closing.countDown();
        KafkaConsumer<byte[], byte[]> client = consumer;
        if (client != null) {
            client.wakeup();
        }
        thread.join(Duration.ofSeconds(10).toMillis());
    }
}
