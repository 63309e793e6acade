package dev.concord.consumer.verify;

import dev.concord.replica.apply.StateRecordDecoder;
import dev.concord.replica.store.StateChange;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The authoritative side of a verification: the newest record of every entity in a type's state topic, read from the
 * beginning up to the end offsets taken when the read starts (committed records only). Kept per entity: its
 * {@link Fingerprint}, and the decoded change itself only for the entities asked for (a repair's few), so that a type
 * of millions fits. Records that do not decode are counted and skipped: the replica dead-letters them too.
 */
final class StateTopicSnapshot {

    private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);

    /**
     * @param changes         the newest change of each entity {@code keep} accepted (a removal for a Kafka tombstone)
     * @param afterLastRecord per partition, the offset after the snapshot's last record: what a replica that applied
     *                        the whole snapshot has stored (a transaction marker may follow it, so not the end offset)
     */
    record Snapshot(Map<String, Fingerprint> fingerprints, Map<String, StateChange> changes, Map<TopicPartition, Long> afterLastRecord,
                    long unreadable) {
    }

    private StateTopicSnapshot() {
    }

    static Snapshot read(Map<String, Object> kafkaClientConfig, String topic, StateRecordDecoder decoder, Predicate<String> keep) {
        Map<String, Object> config = new HashMap<>(kafkaClientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, Fingerprint> fingerprints = new HashMap<>();
        Map<String, StateChange> changes = new HashMap<>();
        Map<TopicPartition, Long> afterLastRecord = new HashMap<>();
        long unreadable = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plus(READ_TIMEOUT);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + READ_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue; // written after the snapshot's end: not part of it
                    }
                    afterLastRecord.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
                    StateRecordDecoder.Decoded decoded = decoder.decode(record);
                    if (decoded.change() == null) {
                        unreadable++;
                        continue;
                    }
                    StateChange change = decoded.change();
                    fingerprints.put(change.id(), Fingerprint.of(change));
                    if (keep.test(change.id())) {
                        changes.put(change.id(), change);
                    }
                }
            }
            return new Snapshot(fingerprints, changes, afterLastRecord, unreadable);
        }
    }
}
