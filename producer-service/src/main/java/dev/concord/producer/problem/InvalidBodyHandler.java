package dev.concord.producer.problem;

import dev.concord.contract.problem.Problem;
import dev.concord.producer.publish.InvalidBodyException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * A body that is not a JSON object → 400: malformed JSON is a broken request, not a payload that
 * fails the schema (that is a 422). The detail names line and column; the field error names where.
 */
@Singleton
public class InvalidBodyHandler implements ExceptionHandler<InvalidBodyException, HttpResponse<Problem>> {

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, InvalidBodyException e) {
        Problem problem = e.syntaxError()
                ? Problem.of("malformed-json", "Malformed JSON", 400, e.getMessage(), List.of(Problem.FieldError.of(e.violation())))
                : Problem.of("not-a-json-object", "Body is not a JSON object", 400, e.getMessage(),
                        List.of(Problem.FieldError.of(e.violation())));
        return ProblemResponses.respond(request, HttpStatus.BAD_REQUEST, problem);
    }
}
