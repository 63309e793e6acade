package dev.concord.producer.write;

import dev.concord.contract.problem.Problem;
import java.util.Map;

/**
 * A request (or one item of a batch) that producer-service refuses, carrying the answer a client can
 * act on: the HTTP status, the {@code application/problem+json} document and any headers (e.g.
 * {@code Retry-After}). One type for every refusal, so the single-entity endpoints (through one
 * exception handler) and the batch endpoint (one result per item) say exactly the same thing.
 */
public abstract class RefusedException extends RuntimeException {

    protected RefusedException(String message) {
        super(message);
    }

    protected RefusedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The HTTP status of the refusal. */
    public abstract int status();

    /** The problem document, without {@code instance} (the caller knows the path). */
    public abstract Problem problem();

    /** Extra response headers, e.g. {@code Retry-After}. */
    public Map<String, String> headers() {
        return Map.of();
    }
}
