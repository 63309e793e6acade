package dev.concord.processor.errors;

import java.util.List;
import java.util.Map;
import dev.concord.contract.topics.TopicNames;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;

/**
 * Output that cannot be produced or serialized (too large, refused by the broker) sends the input
 * that caused it to the dead-letter topic. Retriable errors are left to Kafka Streams to retry.
 *
 * <p>Except a state record: the state topic is the state store's log, and the store already holds the state, so going
 * on without the record would commit a store its log does not match (a restore would then bring back an older state).
 * The task fails instead: under exactly-once its transaction aborts and the store is restored from the log. The
 * processor refuses beforehand what the broker would refuse for its size (key, value and headers: OutputSizeGuard),
 * so this is for failures no single record causes (a missing topic, a revoked ACL): loud, never silent.
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {

    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = DeadLetters.configure(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        if (record != null && TopicNames.isState(record.topic())) {
            return Response.fail();
        }
        return Response.resume(List.of(deadLetter(context, record, exception)));
    }

    @Override
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        return Response.resume(List.of(deadLetter(context, null, exception)));
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> failed,
                                                      Exception exception) {
        byte[] key = context.sourceRawKey() != null || failed == null ? context.sourceRawKey() : failed.key();
        byte[] value = context.sourceRawValue() != null || failed == null ? context.sourceRawValue() : failed.value();
        return deadLetters.record("produce", context, key, value, context.headers(), exception);
    }
}
