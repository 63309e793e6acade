package dev.concord.processor.runtime;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

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
     */
    public static Properties of(Map<String, Object> kafkaClientConfig, Map<String, Object> streamsOverrides) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "concord-sync-processor");
        // The store write, the state record and the input offset commit atomically; a crash replays
        // from the last commit without duplicating output. Replicas read with read_committed.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Until the dead-letter topic lands, an undecodable event is logged and skipped rather than
        // stopping every entity of its partition.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.putAll(kafkaClientConfig);
        props.putAll(streamsOverrides);
        return props;
    }
}
