package dev.concord.producer.publish;

import dev.concord.contract.problem.Problem;
import dev.concord.producer.write.RefusedException;
import java.util.List;
import java.util.Map;

/** A client over its rate limit → 429 with {@code Retry-After} (whole seconds until enough tokens are back). */
public final class RateLimitedException extends RefusedException {

    private final long retryAfterSeconds;

    public RateLimitedException(String clientId, int requested, double perSecond, long burst, long retryAfterSeconds) {
        super("Client '" + clientId + "' exceeded its rate limit of " + perSecond + " events per second (bursts up to "
                + burst + "); this request needs " + requested + (requested == 1 ? " token" : " tokens")
                + ". Retry after " + retryAfterSeconds + " s.");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public int status() {
        return 429;
    }

    @Override
    public Problem problem() {
        return Problem.of("rate-limited", "Too Many Requests", 429, getMessage(), List.of());
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Retry-After", Long.toString(retryAfterSeconds));
    }
}
