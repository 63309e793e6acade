package dev.concord.processor.errors;

import dev.concord.contract.text.LogSafe;
import dev.concord.contract.topics.TopicNames;
import dev.concord.processor.metrics.SyncMetrics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds dead-letter records: the original key and value bytes and headers, plus headers saying
 * where it failed ({@code concord.dlq.stage}: deserialize, process or produce), why, and where the
 * record came from, so it can be inspected and replayed. The handlers return these records to Kafka
 * Streams, which writes them in the same transaction as the rest of the task's output.
 */
public final class DeadLetters {

    public static final String TOPIC_CONFIG = "concord.dlq.topic";
    public static final String METRICS_CONFIG = "concord.dlq.metrics";

    public static final String STAGE = "concord.dlq.stage";
    public static final String ERROR = "concord.dlq.error";
    public static final String EXCEPTION = "concord.dlq.exception";
    public static final String SOURCE_TOPIC = "concord.dlq.source.topic";
    public static final String SOURCE_PARTITION = "concord.dlq.source.partition";
    public static final String SOURCE_OFFSET = "concord.dlq.source.offset";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final String topic;
    private final SyncMetrics metrics;

    private DeadLetters(String topic, SyncMetrics metrics) {
        this.topic = topic;
        this.metrics = metrics;
    }

    /** Reads the handler configuration that {@code StreamsSettings} put in. */
    static DeadLetters configure(Map<String, ?> configs) {
        Object topic = configs.get(TOPIC_CONFIG);
        Object metrics = configs.get(METRICS_CONFIG);
        return new DeadLetters(topic == null ? TopicNames.DLQ : topic.toString(),
                metrics instanceof SyncMetrics m ? m : SyncMetrics.NONE);
    }

    ProducerRecord<byte[], byte[]> record(String stage, ErrorHandlerContext context, byte[] key, byte[] value,
                                          Headers original, Exception error) {
        Headers headers = new RecordHeaders(original == null ? new RecordHeaders().toArray() : original.toArray());
        describe(headers, stage, context.topic(), context.partition(), context.offset(), error);
        metrics.deadLettered(stage);
        LOG.warn("Dead-lettering record {}-{}@{} at stage {}: {}; processing continues",
                context.topic(), context.partition(), context.offset(), stage, LogSafe.of(rootMessage(error)));
        return new ProducerRecord<>(topic, null, key, value, headers);
    }

    /**
     * The headers of a dead letter the processor writes itself (an event held behind a parked entity, found poisoned
     * when the entity is released), with the same names as the handlers' ones.
     */
    public static Headers describe(String stage, String topic, int partition, long offset, Exception error) {
        Headers headers = new RecordHeaders();
        describe(headers, stage, topic, partition, offset, error);
        LOG.warn("Dead-lettering record {}-{}@{} at stage {}: {}; processing continues", topic, partition, offset, stage,
                LogSafe.of(rootMessage(error)));
        return headers;
    }

    private static void describe(Headers headers, String stage, String topic, int partition, long offset, Exception error) {
        put(headers, STAGE, stage);
        put(headers, ERROR, String.valueOf(rootMessage(error)));
        put(headers, EXCEPTION, error.getClass().getName());
        put(headers, SOURCE_TOPIC, topic);
        put(headers, SOURCE_PARTITION, String.valueOf(partition));
        put(headers, SOURCE_OFFSET, String.valueOf(offset));
    }

    private static String rootMessage(Throwable error) {
        StringBuilder message = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            message.append(" <- ").append(cause.getMessage());
        }
        return message.toString();
    }

    private static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }
}
