package dev.concord.processor.errors;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;

/**
 * An event that fails while being applied (a payload that does not match its type, or a bug) goes
 * to the dead-letter topic with its original bytes, instead of failing the task and crash-looping on
 * the same offset after every restart.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = DeadLetters.configure(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (exception instanceof StreamsException) {
            // Kafka Streams' own failure, not the event's: an earlier send failed (DeadLetterProductionHandler fails the
            // task on a lost state record) or the store broke. Going on would keep store writes the state topic lacks.
            return Response.fail();
        }
        String stage = exception instanceof OutputTooLargeException ? "produce" : "process";
        return Response.resume(List.of(deadLetters.record(stage, context, context.sourceRawKey(),
                context.sourceRawValue(), context.headers(), exception)));
    }
}
