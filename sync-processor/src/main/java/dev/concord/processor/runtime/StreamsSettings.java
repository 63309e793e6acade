package dev.concord.processor.runtime;

import dev.concord.contract.topics.TopicNames;
import dev.concord.processor.errors.DeadLetterDeserializationHandler;
import dev.concord.processor.errors.DeadLetterProcessingHandler;
import dev.concord.processor.errors.DeadLetterProductionHandler;
import dev.concord.processor.errors.DeadLetters;
import dev.concord.processor.metrics.SyncMetrics;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams configuration of sync-processor, kept apart from the topology. Defaults that
 * the guarantees depend on are set here; anything under {@code concord.streams.*} overrides them.
 */
public final class StreamsSettings {

    private StreamsSettings() {
    }

    /**
     * @param kafkaClientConfig connection settings shared by all Concord clients (bootstrap, security)
     * @param streamsOverrides  Kafka Streams settings from configuration
     * @param metrics           where the dead-letter handlers count what they route
     */
    public static Properties of(Map<String, Object> kafkaClientConfig, Map<String, Object> streamsOverrides,
                                SyncMetrics metrics) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "concord-sync-processor");
        // The store write, the state record and the input offset commit atomically; a crash replays
        // from the last commit without duplicating output. Replicas read with read_committed.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Output is visible at commit, so this bounds the processor's latency from below (its median hop is
        // about the interval). Measured (docs/performance.md): once a commit no longer flushed a record cache
        // and wrote a dedup changelog, 50 ms cut the processor's hop from p50 60-66 / p99 119-132 ms to
        // p50 36-38 / p99 79-125 ms at 1-10k events/s, at the same throughput within noise.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50);
        // A task reads one partition of one events topic: there are no input streams to align in time, so
        // waiting for empty partitions (max.task.idle.ms) only costs; the profile showed a debug string
        // being formatted for every empty partition on every loop.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        // No store uses Kafka Streams' record cache (see SyncTopology), so none is reserved: its heap goes
        // to the JVM, not to an idle cache.
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        // Every RocksDB store of the process shares one memory budget (block cache + memtables), so the pod's
        // off-heap memory does not grow with its stores and partitions until the container limit kills it.
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        // Poison records go to the dead-letter topic, in the same transaction, and processing goes on:
        // a restart never meets the same bad record again.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        props.put(DeadLetters.TOPIC_CONFIG, TopicNames.DLQ);
        props.put(DeadLetters.METRICS_CONFIG, metrics);
        props.putAll(kafkaClientConfig);
        props.putAll(streamsOverrides);
        return props;
    }
}
