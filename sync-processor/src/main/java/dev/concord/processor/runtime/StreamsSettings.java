package dev.concord.processor.runtime;

import dev.concord.contract.topics.TopicNames;
import dev.concord.processor.errors.DeadLetterDeserializationHandler;
import dev.concord.processor.errors.DeadLetterProcessingHandler;
import dev.concord.processor.errors.DeadLetterProductionHandler;
import dev.concord.processor.errors.DeadLetters;
import dev.concord.processor.metrics.SyncMetrics;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams configuration of sync-processor, kept apart from the topology. Defaults that
 * the guarantees and the speed depend on are set here; anything under {@code concord.streams.*} overrides them. An
 * empty {@code concord.streams.*} value is no value: the default holds.
 */
public final class StreamsSettings {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsSettings.class);
    static final int PRODUCER_BATCH_BYTES = 128 * 1024;

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
        // One stream thread per core the process is given (the container's CPU limit): a task's work is serial on its
        // thread, and the thread, not the broker, is the processor's limit since each event costs one broker write.
        // Measured (docs/performance.md, "Two stream threads"): 2 threads on 2 cores, 1.20x the exactly-once
        // throughput of 1, with the broker on the same cores.
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Math.max(1, Runtime.getRuntime().availableProcessors()));
        // Batches of up to 128 KiB per partition instead of the producer's 16 KiB: a 50 ms transaction at tens of thousands
        // of events/s writes hundreds of kilobytes to each state partition, and the broker's cost is per batch as much as
        // per record. Measured (docs/performance.md, "Larger producer batches"): 1.18x exactly-once, 1.31x at-least-once.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), PRODUCER_BATCH_BYTES);
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
        Set<String> givenEmpty = new TreeSet<>();
        streamsOverrides.forEach((name, value) -> {
            // An empty setting is an unset one (CONCORD_STREAM_THREADS unset, say): the default above, or Kafka's, holds.
            if (!String.valueOf(value).isBlank()) {
                props.put(name, value);
            } else if (name.startsWith(StreamsConfig.CLIENT_TAG_PREFIX)) {
                givenEmpty.add(name);
            }
        });
        dropEmptyClientTags(props, givenEmpty);
        return props;
    }

    /**
     * A client tag set from a label the pod does not have (production sets {@code client.tag.zone} from the pod's
     * zone label, which a cluster without zones leaves empty), through either source of settings, is removed with the
     * assignment tags that name it: Kafka Streams refuses an empty tag value, and an assignment tag without its client
     * tag, and the process would not start. Standbys are then placed as without zones.
     *
     * @param givenEmpty client tag settings the overrides gave empty (so left unset, unless the client settings set them)
     */
    private static void dropEmptyClientTags(Properties props, Set<String> givenEmpty) {
        Set<String> empty = new TreeSet<>();
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith(StreamsConfig.CLIENT_TAG_PREFIX) && String.valueOf(props.get(key)).isBlank()) {
                props.remove(key);
                empty.add(key.substring(StreamsConfig.CLIENT_TAG_PREFIX.length()));
            }
        }
        givenEmpty.stream().filter(key -> !props.containsKey(key))
                .forEach(key -> empty.add(key.substring(StreamsConfig.CLIENT_TAG_PREFIX.length())));
        if (empty.isEmpty()) {
            return;
        }
        Object tags = props.get(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG);
        if (tags != null) {
            List<String> kept = Arrays.stream(String.valueOf(tags).split(",")).map(String::trim)
                    .filter(tag -> !tag.isEmpty() && !empty.contains(tag)).toList();
            if (kept.isEmpty()) {
                props.remove(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG);
            } else {
                props.put(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG, String.join(",", kept));
            }
        }
        LOG.info("Client tags {} are empty (no such label on this pod?): standbys are placed without them", empty);
    }
}
