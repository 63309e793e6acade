package dev.concord.bench.measure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The baselines P1 is measured against: the events topic copied record for record (no decoding) to a topic of the
 * same shape, acks=all, in batches as large as the processor's, as fast as it goes, by one or more threads, each with
 * its own consumer (a share of the partitions, assigned) and producer. Transactional: read_committed, and each
 * thread's copies and consumed offsets commit in one transaction every commit interval of the processor under test,
 * i.e. exactly-once without Kafka Streams.
 */
final class CopyPipe {

    private final Map<String, Object> kafkaConfig;
    private final String input;
    private final int partitions;
    private final long commitIntervalMs;
    private final int batchBytes;

    CopyPipe(Map<String, Object> kafkaConfig, String input, int partitions, long commitIntervalMs, int batchBytes) {
        this.kafkaConfig = kafkaConfig;
        this.input = input;
        this.partitions = partitions;
        this.commitIntervalMs = commitIntervalMs;
        this.batchBytes = batchBytes;
    }

    /** @return events per second, from the first record read to the last one acknowledged (the clients' closing not counted) */
    double copy(int events, boolean transactional, String output, int threads) throws Exception {
        Topics.create(kafkaConfig, output, partitions);
        AtomicLong consumed = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        ExecutorService workers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int worker = 0; worker < threads; worker++) {
                List<TopicPartition> share = shareOf(worker, threads);
                if (share.isEmpty()) {
                    continue;
                }
                running.add(workers.submit(() -> {
                    copyShare(share, events, transactional, output, consumed, first, last);
                    return null;
                }));
            }
            for (Future<?> worker : running) {
                worker.get();
            }
            return events * 1e9 / (last.get() - first.get());
        } finally {
            workers.shutdownNow();
        }
    }

    private List<TopicPartition> shareOf(int worker, int threads) {
        return IntStream.range(0, partitions).filter(p -> p % threads == worker).mapToObj(p -> new TopicPartition(input, p)).toList();
    }

    private void copyShare(List<TopicPartition> share, int events, boolean transactional, String output, AtomicLong consumed,
                           AtomicLong first, AtomicLong last) {
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, output);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        Map<String, Object> producerConfig = new HashMap<>(kafkaConfig);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // The processor's producer batch size: a baseline given smaller batches than the contender would flatter the ratios.
        producerConfig.put(ProducerConfig.BATCH_SIZE_CONFIG, batchBytes);
        if (transactional) {
            consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, output + "-" + UUID.randomUUID());
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.assign(share);
            if (transactional) {
                producer.initTransactions();
            }
            // Assigned, not subscribed: no rebalance in the middle of the measurement; offsets commit as the group's.
            ConsumerGroupMetadata group = new ConsumerGroupMetadata(output);
            Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
            long transactionStarted = 0;
            while (consumed.get() < events || !uncommitted.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(transactional ? 10 : 100))) {
                    first.compareAndSet(0, System.nanoTime());
                    if (transactional && uncommitted.isEmpty()) {
                        producer.beginTransaction();
                        transactionStarted = System.nanoTime();
                    }
                    producer.send(new ProducerRecord<>(output, record.key(), record.value()));
                    uncommitted.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                    consumed.incrementAndGet();
                }
                if (!transactional) {
                    consumer.commitAsync();
                    uncommitted.clear();
                } else if (!uncommitted.isEmpty() && (consumed.get() >= events
                        || System.nanoTime() - transactionStarted >= commitIntervalMs * 1_000_000L)) {
                    producer.sendOffsetsToTransaction(uncommitted, group);
                    producer.commitTransaction();
                    uncommitted.clear();
                }
            }
            producer.flush();
            // Before the clients close: closing (a consumer's final commit, say) is not copying.
            last.accumulateAndGet(System.nanoTime(), Math::max);
        }
    }
}
