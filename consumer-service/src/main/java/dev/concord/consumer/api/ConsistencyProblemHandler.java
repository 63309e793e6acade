package dev.concord.consumer.api;

import dev.concord.consumer.consistency.ReadYourWrites;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** A malformed {@code X-Concord-After} or {@code Prefer} on any read is a 400 naming the header. */
@Singleton
@Produces
public class ConsistencyProblemHandler implements ExceptionHandler<ReadYourWrites.InvalidConsistencyRequest, HttpResponse<?>> {

    @Override
    public HttpResponse<?> handle(HttpRequest request, ReadYourWrites.InvalidConsistencyRequest error) {
        return EntityProblems.badParameter(error.field, error.expected, error.actual, request.getPath());
    }
}
