package dev.concord.processor.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/**
 * A failure to produce output dead-letters the input that caused it, except a lost state record, which fails the task
 * (the state topic is the store's log); Kafka Streams' own errors while processing fail the task too. (A broker that refuses a record
 * cannot be provoked deterministically under exactly-once in a test, so the handler is tested here
 * directly; the other stages are tested end to end in DeadLetterQueueBrokerTest.)
 */
class DeadLetterProductionHandlerTest {

    private final DeadLetterProductionHandler handler = new DeadLetterProductionHandler();

    DeadLetterProductionHandlerTest() {
        handler.configure(Map.of(DeadLetters.TOPIC_CONFIG, "concord.dlq"));
    }

    @Test
    void shouldDeadLetterTheSourceRecordWhenOutputIsRefused() {
        ProducerRecord<byte[], byte[]> output = new ProducerRecord<>("concord.conflicts", bytes("c-1"), new byte[2_000_000]);

        ProductionExceptionHandler.Response response = handler.handleError(context(), output,
                new RecordTooLargeException("state of 2000000 bytes"));

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
        assertThat(dead.topic()).isEqualTo("concord.dlq");
        assertThat(dead.key()).isEqualTo(bytes("c-1"));
        assertThat(dead.value()).isEqualTo(bytes("the original event"));
        assertThat(header(dead.headers(), DeadLetters.STAGE)).isEqualTo("produce");
        assertThat(header(dead.headers(), DeadLetters.ERROR)).contains("state of 2000000 bytes");
        assertThat(header(dead.headers(), DeadLetters.EXCEPTION)).isEqualTo(RecordTooLargeException.class.getName());
        assertThat(header(dead.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("concord.events.customer");
        assertThat(header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("42");
        assertThat(header(dead.headers(), "trace-id")).isEqualTo("t-1");
    }

    @Test
    void shouldFailTheTaskWhenAStateRecordIsRefusedSinceTheStoreAlreadyHoldsIt() {
        // The state topic is the store's log: resuming without the record would commit a store its log does not match.
        ProductionExceptionHandler.Response response = handler.handleError(context(),
                new ProducerRecord<>("concord.state.customer", bytes("c-1"), bytes("x")),
                new TopicAuthorizationException("not authorized to write concord.state.customer"));

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void shouldLeaveRetriableErrorsToKafkaStreams() {
        ProductionExceptionHandler.Response response = handler.handleError(context(),
                new ProducerRecord<>("concord.state.customer", bytes("c-1"), bytes("x")), new NotLeaderOrFollowerException("moving"));

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RETRY);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void shouldKeepTheDeserializationStageDistinct() {
        DeadLetterDeserializationHandler deserialization = new DeadLetterDeserializationHandler();
        deserialization.configure(Map.of());
        var record = new org.apache.kafka.clients.consumer.ConsumerRecord<>("concord.events.customer", 3, 42L, bytes("c-1"), bytes("junk"));

        DeserializationExceptionHandler.Response response = deserialization.handleError(context(), record,
                new IllegalStateException("bad bytes"));

        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(dead -> assertThat(header(dead.headers(), DeadLetters.STAGE)).isEqualTo("deserialize"))
                .satisfies(dead -> assertThat(dead.topic()).isEqualTo("concord.dlq"));
    }

    @Test
    void shouldFailTheTaskOnKafkaStreamsOwnErrorsWhileProcessingButDeadLetterPoison() {
        DeadLetterProcessingHandler processing = new DeadLetterProcessingHandler();
        processing.configure(Map.of(DeadLetters.TOPIC_CONFIG, "concord.dlq"));
        var event = new org.apache.kafka.streams.processor.api.Record<>("c-1", "event", 0L);

        // An earlier send failed (a lost state record): resuming would keep store writes the state topic lacks
        ProcessingExceptionHandler.Response kafkaStreams = processing.handleError(context(), event,
                new StreamsException("Error encountered sending record to topic concord.state.customer"));
        // A poisoned event is the event's fault: dead-lettered, and the task goes on
        ProcessingExceptionHandler.Response poison = processing.handleError(context(), event,
                new PoisonEventException("payload does not match type customer"));

        assertThat(kafkaStreams.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(kafkaStreams.deadLetterQueueRecords()).isEmpty();
        assertThat(poison.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(poison.deadLetterQueueRecords()).singleElement()
                .satisfies(dead -> assertThat(header(dead.headers(), DeadLetters.STAGE)).isEqualTo("process"));
    }

    private static ErrorHandlerContext context() {
        Headers headers = new RecordHeaders();
        headers.add("trace-id", bytes("t-1"));
        return new ErrorHandlerContext() {
            public String topic() { return "concord.events.customer"; }
            public int partition() { return 3; }
            public long offset() { return 42; }
            public Headers headers() { return headers; }
            public String processorNodeId() { return "merge-customer"; }
            public TaskId taskId() { return new TaskId(0, 3); }
            public long timestamp() { return 0; }
            public byte[] sourceRawKey() { return bytes("c-1"); }
            public byte[] sourceRawValue() { return bytes("the original event"); }
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(Headers headers, String key) {
        var header = headers.lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
