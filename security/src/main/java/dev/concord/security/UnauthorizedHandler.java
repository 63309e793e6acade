package dev.concord.security;

import dev.concord.contract.problem.Problem;
import dev.concord.contract.text.LogSafe;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.security.authentication.AuthorizationException;
import io.micronaut.security.authentication.DefaultAuthorizationExceptionHandler;
import jakarta.inject.Singleton;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micronaut Security's refusals as {@code application/problem+json}: 401 when the request carries no
 * usable credentials (saying which: none, an unknown API key, or a bearer token that did not validate),
 * with {@code WWW-Authenticate} naming both schemes; 403 when a route's rule refuses an authenticated
 * client. Grants per type and action are checked where the type is known ({@link AccessPolicy}) and answer
 * their own 403 ({@link ForbiddenHandler}).
 */
@Singleton
@Replaces(DefaultAuthorizationExceptionHandler.class)
@Requires(property = "micronaut.security.enabled", notEquals = "false")
public class UnauthorizedHandler implements ExceptionHandler<AuthorizationException, MutableHttpResponse<?>> {

    static final String CHALLENGE = "ApiKey realm=\"concord\", Bearer realm=\"concord\"";
    private static final Logger LOG = LoggerFactory.getLogger(UnauthorizedHandler.class);

    @Override
    public MutableHttpResponse<?> handle(HttpRequest request, AuthorizationException e) {
        if (e.isForbidden()) {
            String client = e.getAuthentication() == null ? "?" : LogSafe.of(e.getAuthentication().getName());
            return respond(request, HttpStatus.FORBIDDEN, Problem.of("forbidden", "Forbidden", 403,
                    "Client '" + client + "' may not access " + request.getPath() + ".", List.of()));
        }
        String detail = "This API needs credentials: an API key (X-Api-Key: <key>, or Authorization: ApiKey <key>),"
                + " a JWT (Authorization: Bearer <token>) or, for streams opened by a browser, a stream ticket (?ticket=). ";
        if (request.getAttribute(ApiKeyAuthenticationFetcher.REJECTED_KEY).isPresent()) {
            detail += "The API key sent is not a configured key.";
        } else if (request.getAttribute(TicketAuthenticationFetcher.REJECTED_TICKET).isPresent()) {
            detail += "The stream ticket sent is invalid or expired; ask POST /v1/stream-tickets for a new one.";
        } else if (request.getHeaders().get(HttpHeaders.AUTHORIZATION, String.class).filter(a -> a.regionMatches(true, 0, "Bearer ", 0, 7)).isPresent()) {
            detail += "The bearer token sent did not validate (signature, expiry, not-before, subject, audience, issuer"
                    + " or format; unsigned tokens are never accepted).";
        } else {
            detail += "None was sent.";
        }
        return respond(request, HttpStatus.UNAUTHORIZED, Problem.of("unauthorized", "Unauthorized", 401, detail, List.of()))
                .header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE);
    }

    private static MutableHttpResponse<Problem> respond(HttpRequest<?> request, HttpStatus status, Problem problem) {
        LOG.info("{} {} refused with {}: {}", request.getMethodName(), LogSafe.of(request.getPath()),
                status.getCode(), LogSafe.of(problem.detail()));
        return HttpResponse.<Problem>status(status).contentType(MediaType.APPLICATION_JSON_PROBLEM_TYPE)
                .body(problem.at(request.getPath()));
    }
}
