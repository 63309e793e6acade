package dev.concord.consumer.api;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ConversionErrorHandler;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * A query value that does not convert ({@code limit=abc}, {@code after=%00}) is a 400
 * {@code invalid-parameter} problem naming the parameter, what was expected and what came, like every
 * other bad parameter of the read API, instead of Micronaut's generic conversion error.
 */
@Singleton
@Produces
@Replaces(ConversionErrorHandler.class)
public class ConversionProblemHandler implements ExceptionHandler<ConversionErrorException, HttpResponse<?>> {

    @Override
    public HttpResponse<?> handle(HttpRequest request, ConversionErrorException error) {
        Argument<?> argument = error.getArgument();
        String actual = error.getConversionError().getOriginalValue().map(String::valueOf).orElse("");
        return EntityProblems.badParameter(argument.getName(), expected(argument.getType()), actual, request.getPath());
    }

    private static String expected(Class<?> type) {
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        return "a " + type.getSimpleName();
    }
}
