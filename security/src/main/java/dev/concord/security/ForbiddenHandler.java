package dev.concord.security;

import dev.concord.contract.problem.Problem;
import dev.concord.contract.text.LogSafe;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A missing grant becomes its 403 {@code application/problem+json}, naming the grant. */
@Singleton
public class ForbiddenHandler implements ExceptionHandler<ForbiddenException, HttpResponse<Problem>> {

    private static final Logger LOG = LoggerFactory.getLogger(ForbiddenHandler.class);

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, ForbiddenException e) {
        LOG.info("{} {} refused with 403: {}", request.getMethodName(), LogSafe.of(request.getPath()), LogSafe.of(e.getMessage()));
        return HttpResponse.<Problem>status(HttpStatus.FORBIDDEN).contentType(Problem.MEDIA_TYPE)
                .body(e.problem().at(request.getPath()));
    }
}
