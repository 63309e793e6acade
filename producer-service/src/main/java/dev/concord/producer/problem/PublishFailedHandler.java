package dev.concord.producer.problem;

import dev.concord.contract.problem.Problem;
import dev.concord.producer.publish.PublishFailedException;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.List;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Kafka did not acknowledge the event → 503 with {@code Retry-After}: the write was valid, Kafka is
 * (for now) not taking it, and PUT is a full replacement, so retrying is safe. The one exception is a
 * record too large for Kafka → 413, which no retry fixes.
 */
@Singleton
public class PublishFailedHandler implements ExceptionHandler<PublishFailedException, HttpResponse<Problem>> {

    static final String RETRY_AFTER_SECONDS = "5";

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, PublishFailedException e) {
        if (e.getCause() instanceof RecordTooLargeException) {
            return ProblemResponses.respond(request, HttpStatus.REQUEST_ENTITY_TOO_LARGE,
                    Problem.of("request-entity-too-large", "Request Entity Too Large", 413,
                            "The event is larger than Kafka accepts: " + e.getCause().getMessage(), List.of()));
        }
        String detail = "Kafka did not acknowledge event " + e.event().getEventId() + " ("
                + e.getCause().getMessage() + "). It may or may not have been stored; retry the request.";
        return ProblemResponses.respond(request, HttpStatus.SERVICE_UNAVAILABLE,
                        Problem.of("kafka-unavailable", "Event store unavailable", 503, detail, List.of()))
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }
}
