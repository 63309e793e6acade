package dev.concord.producer.problem;

import dev.concord.contract.problem.Problem;
import dev.concord.producer.publish.UnknownEntityTypeException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.List;

/** Unknown entity type in the path → 404 naming the declared types. */
@Singleton
public class UnknownEntityTypeHandler implements ExceptionHandler<UnknownEntityTypeException, HttpResponse<Problem>> {

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, UnknownEntityTypeException e) {
        Problem.FieldError typeError = new Problem.FieldError("type", null,
                "one of " + String.join(", ", e.declaredTypes()), "\"" + e.type() + "\"");
        return ProblemResponses.respond(request, HttpStatus.NOT_FOUND,
                Problem.of("unknown-entity-type", "Unknown entity type", 404, e.getMessage(), List.of(typeError)));
    }
}
