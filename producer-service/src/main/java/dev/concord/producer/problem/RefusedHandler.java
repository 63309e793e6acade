package dev.concord.producer.problem;

import dev.concord.contract.problem.Problem;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.write.RefusedException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Every refusal of a single-entity request becomes its {@code application/problem+json} answer. */
@Singleton
public class RefusedHandler implements ExceptionHandler<RefusedException, HttpResponse<Problem>> {

    private final WriteMetrics metrics;

    public RefusedHandler(WriteMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, RefusedException e) {
        metrics.refused(WriteMetrics.Source.HTTP, e.problem());
        MutableHttpResponse<Problem> response = ProblemResponses.respond(request, HttpStatus.valueOf(e.status()), e.problem());
        e.headers().forEach(response::header);
        return response;
    }
}
