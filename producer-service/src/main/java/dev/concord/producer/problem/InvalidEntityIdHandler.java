package dev.concord.producer.problem;

import dev.concord.contract.problem.Problem;
import dev.concord.producer.publish.EntityIds;
import dev.concord.producer.publish.InvalidEntityIdException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.List;

/** An entity id that breaks the id rule → 400 naming {@code id} and the rule. */
@Singleton
public class InvalidEntityIdHandler implements ExceptionHandler<InvalidEntityIdException, HttpResponse<Problem>> {

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, InvalidEntityIdException e) {
        Problem.FieldError idError = new Problem.FieldError("id", null, EntityIds.RULE, e.found());
        return ProblemResponses.respond(request, HttpStatus.BAD_REQUEST,
                Problem.of("invalid-entity-id", "Invalid entity id", 400, e.getMessage(), List.of(idError)));
    }
}
