package dev.concord.consumer.api;

import dev.concord.contract.problem.Problem;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders Micronaut's own errors (unknown route 404, method not allowed 405, unsupported media type
 * 415, a missing required argument 400, unexpected 500, ...) as {@code application/problem+json}, so a
 * client of the replica parses one error shape whatever went wrong. Replaces Micronaut's default
 * processor, which steps aside when another {@link ErrorResponseProcessor} bean exists. (The same shape as
 * producer-service's processor; each service keeps its own because the modules share no HTTP code.)
 */
@Singleton
public class ProblemErrorResponseProcessor implements ErrorResponseProcessor<Problem> {

    @Override
    @SuppressWarnings("unchecked")
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        if (context.getRequest().getMethod() == HttpMethod.HEAD) {
            return (MutableHttpResponse<Problem>) response;
        }
        HttpStatus status = response.status();
        String detail = status.getCode() >= 500
                // Never echo internals to the client; the server log has the stack trace.
                ? "The server failed to handle the request; see the consumer-service log."
                : context.getErrors().stream().map(Error::getMessage).collect(Collectors.joining("; "));
        List<Problem.FieldError> fields = status.getCode() >= 500 ? List.of() : context.getErrors().stream()
                .filter(error -> error.getPath().isPresent())
                .map(error -> new Problem.FieldError(error.getPath().get(), null, null, null))
                .toList();
        Problem problem = Problem.of(slug(status), status.getReason(), status.getCode(),
                detail.isEmpty() ? status.getReason() : detail, fields).at(context.getRequest().getPath());
        return ((MutableHttpResponse<Problem>) response).body(problem).contentType(MediaType.APPLICATION_JSON_PROBLEM_TYPE);
    }

    /** {@code Method Not Allowed} → {@code method-not-allowed}. */
    private static String slug(HttpStatus status) {
        return status.getReason().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
