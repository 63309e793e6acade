package dev.concord.security.problem;

import dev.concord.contract.problem.Problem;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders Micronaut's own errors (unknown route 404, method not allowed 405, unsupported media type
 * 415, request too large 413, unexpected 500, ...) as {@code application/problem+json}, so a client
 * parses one error shape whatever went wrong, on every Concord service (all three use this module).
 * Replaces Micronaut's default processor, which steps aside when another {@link ErrorResponseProcessor}
 * bean exists.
 */
@Singleton
public class ProblemErrorResponseProcessor implements ErrorResponseProcessor<Problem> {

    private final HttpServerConfiguration server;

    private final String service;

    public ProblemErrorResponseProcessor(HttpServerConfiguration server,
                                         @Value("${micronaut.application.name:this service}") String service) {
        this.server = server;
        this.service = service;
    }

    @Override
    @SuppressWarnings("unchecked")
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        if (context.getRequest().getMethod() == HttpMethod.HEAD) {
            return (MutableHttpResponse<Problem>) response;
        }
        HttpStatus status = response.status();
        String detail = status.getCode() >= 500
                // Never echo internals to the client; the server log has the stack trace.
                ? "The server failed to handle the request; see the " + service + " log."
                : context.getErrors().stream().map(Error::getMessage).collect(Collectors.joining("; "));
        Problem problem = Problem.of(slug(status), status.getReason(), status.getCode(),
                detail.isEmpty() ? status.getReason() : detail, fieldErrors(context, response)).at(context.getRequest().getPath());
        return ((MutableHttpResponse<Problem>) response).body(problem).contentType(MediaType.APPLICATION_JSON_PROBLEM_TYPE);
    }

    /**
     * What was wrong, named like every other problem of this API: the argument Micronaut could not bind
     * (conversion errors carry its name), else the part of the request the status is about.
     */
    private List<Problem.FieldError> fieldErrors(ErrorContext context, MutableHttpResponse<?> response) {
        List<Problem.FieldError> named = context.getErrors().stream().filter(e -> e.getPath().isPresent())
                // Micronaut names a missing argument "/city"; a field is named bare everywhere else in Concord's problems.
                .map(e -> new Problem.FieldError(e.getPath().get().replaceFirst("^/", ""), null, "a value of the argument's type",
                        abbreviate(e.getMessage())))
                .toList();
        if (!named.isEmpty()) {
            return named;
        }
        HttpRequest<?> request = context.getRequest();
        Problem.FieldError error = switch (response.status()) {
            case REQUEST_ENTITY_TOO_LARGE -> new Problem.FieldError("(body)", null,
                    "a body of at most " + server.getMaxRequestSize() + " bytes", "a larger body");
            case UNSUPPORTED_MEDIA_TYPE -> new Problem.FieldError(HttpHeaders.CONTENT_TYPE, null, "a media type this route consumes",
                    abbreviate(request.getContentType().map(MediaType::toString).orElse("none")));
            case METHOD_NOT_ALLOWED -> new Problem.FieldError("(method)", null,
                    "one of " + response.getHeaders().get(HttpHeaders.ALLOW, String.class).orElse("the methods this path allows"),
                    abbreviate(request.getMethodName()));
            case NOT_FOUND -> new Problem.FieldError("(path)", null, "a route of this API (see /openapi.yaml)",
                    abbreviate(request.getPath()));
            case BAD_REQUEST -> new Problem.FieldError("(request)", null,
                    "a well-formed HTTP request (e.g. every '%' in the path followed by two hex digits)", "a malformed request");
            default -> null;
        };
        return error == null ? List.of() : List.of(error);
    }

    private static String abbreviate(String text) {
        return text.length() > 100 ? text.substring(0, 97) + "..." : text;
    }

    /** {@code Method Not Allowed} → {@code method-not-allowed}. */
    private static String slug(HttpStatus status) {
        return status.getReason().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
