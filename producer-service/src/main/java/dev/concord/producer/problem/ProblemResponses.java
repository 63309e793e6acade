package dev.concord.producer.problem;

import dev.concord.contract.problem.Problem;
import dev.concord.contract.text.LogSafe;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds {@code application/problem+json} responses, the one error shape of this API, and logs each refusal once. */
final class ProblemResponses {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemResponses.class);

    private ProblemResponses() {
    }

    static MutableHttpResponse<Problem> respond(HttpRequest<?> request, HttpStatus status, Problem problem) {
        if (status.getCode() >= 500) {
            LOG.warn("{} {} answered {}: {}", LogSafe.of(request.getMethodName()), LogSafe.of(request.getPath()),
                    status.getCode(), LogSafe.of(problem.detail()));
        } else {
            LOG.info("{} {} refused with {}: {} Nothing was published.", LogSafe.of(request.getMethodName()),
                    LogSafe.of(request.getPath()), status.getCode(), LogSafe.of(problem.detail()));
        }
        return HttpResponse.<Problem>status(status)
                .contentType(MediaType.APPLICATION_JSON_PROBLEM_TYPE)
                .body(problem.at(request.getPath()));
    }
}
