package dev.concord.producer.problem;

import dev.concord.contract.problem.Problem;
import dev.concord.producer.publish.InvalidPayloadException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * A JSON object that does not fit the entity type's schema → 422 Unprocessable Content: the request
 * is well-formed, its content is wrong. Every violation is listed, each with field path, JSON
 * Pointer, what was expected and what was found, so a client fixes all of them in one round trip.
 */
@Singleton
public class InvalidPayloadHandler implements ExceptionHandler<InvalidPayloadException, HttpResponse<Problem>> {

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, InvalidPayloadException e) {
        int count = e.violations().size();
        String detail = "The " + e.entityType() + " payload does not match its schema (" + count
                + (count == 1 ? " problem" : " problems") + "): " + e.getCause().getMessage() + ".";
        return ProblemResponses.respond(request, HttpStatus.UNPROCESSABLE_ENTITY,
                Problem.of("invalid-payload", "Payload does not match the " + e.entityType() + " schema", 422, detail,
                        e.violations().stream().map(Problem.FieldError::of).toList()));
    }
}
