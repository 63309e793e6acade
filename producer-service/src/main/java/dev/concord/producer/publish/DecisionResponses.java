package dev.concord.producer.publish;

import dev.concord.contract.outcomes.WaitPreference;
import dev.concord.contract.outcomes.WriteOutcome;
import dev.concord.contract.problem.Problem;
import dev.concord.producer.outcome.WriteOutcomeView;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The answer to a write that waited for its decision ({@code Prefer: wait}): 200 with the outcome when it was applied,
 * superseded or a duplicate; 409 or 422 ({@link RejectedWrite}) when sync-processor refused it; 202 with the receipt,
 * as without waiting, when no decision came in time. {@code Preference-Applied} says the wait was honoured.
 */
final class DecisionResponses {

    private DecisionResponses() {
    }

    static MutableHttpResponse<?> single(PublishOutcome published, Optional<WriteOutcome> decided, Duration waited, String path) {
        MutableHttpResponse<?> response;
        if (decided.isEmpty()) {
            response = accepted(published);
        } else if (decided.get().status() == WriteOutcome.Status.REJECTED) {
            WriteOutcome rejected = decided.get();
            MutableHttpResponse<Problem> problem = HttpResponse.<Problem>status(io.micronaut.http.HttpStatus.valueOf(RejectedWrite.status(rejected)))
                    .contentType(MediaType.APPLICATION_JSON_PROBLEM_TYPE).body(RejectedWrite.problem(rejected).at(path));
            RejectedWrite.headers(rejected).forEach(problem::header);
            response = problem;
        } else {
            response = HttpResponse.ok(WriteOutcomeView.of(decided.get()));
        }
        return response.header(WaitPreference.APPLIED, WaitPreference.applied(waited));
    }

    static MutableHttpResponse<PublishAccepted> accepted(PublishOutcome published) {
        MutableHttpResponse<PublishAccepted> response = HttpResponse.accepted().body(published.accepted());
        return published.replayed() ? response.header(RequestHeaders.REPLAYED, "true") : response;
    }

    /** A batch item's result once decided: the receipt's fields, then the outcome's (or the refusal's problem). */
    static Map<String, Object> batchItem(Map<String, Object> receipt, WriteOutcome decided, String path) {
        Map<String, Object> result = new LinkedHashMap<>(receipt);
        if (decided.status() == WriteOutcome.Status.REJECTED) {
            result.put("status", RejectedWrite.status(decided));
            result.put("problem", RejectedWrite.problem(decided).at(path));
        } else {
            result.put("status", 200);
        }
        result.put("outcome", WriteOutcomeView.of(decided));
        return result;
    }
}
