package dev.concord.producer.write;

import dev.concord.contract.problem.Problem;
import java.util.List;
import java.util.Map;

/** A refusal built from its parts; the factories name every kind this API answers with besides the typed ones. */
public final class RequestRefused extends RefusedException {

    private final int status;
    private final transient Problem problem;
    private final Map<String, String> headers;

    public RequestRefused(int status, Problem problem, Map<String, String> headers) {
        super(problem.detail());
        this.status = status;
        this.problem = problem;
        this.headers = Map.copyOf(headers);
    }

    /** 400: a header the API reads is malformed; names the header, what was expected and what was found. */
    public static RequestRefused invalidHeader(String header, String expected, String actual, String detail) {
        return new RequestRefused(400, Problem.of("invalid-header", "Invalid " + header + " header", 400, detail,
                List.of(new Problem.FieldError(header, null, expected, actual))), Map.of());
    }

    /** 400: a field of an operator request's body (not an entity's payload) is missing or malformed. */
    public static RequestRefused invalidField(String field, String expected, String actual) {
        return new RequestRefused(400, Problem.of("invalid-request", "Invalid request", 400,
                "The request's field '" + field + "' must be " + expected + ", not " + actual + ".",
                List.of(new Problem.FieldError(field, "/" + field, expected, actual))), Map.of());
    }

    /** 400: a field of a batch item (not of the payload) is missing or malformed. */
    public static RequestRefused invalidItem(String field, String expected, String actual) {
        return new RequestRefused(400, Problem.of("invalid-batch-item", "Invalid batch item", 400,
                "The batch item's field '" + field + "' must be " + expected + ", not " + actual + ".",
                List.of(new Problem.FieldError(field, "/" + field, expected, actual))), Map.of());
    }

    /** 422: a part of a write beside the payload's fields is missing or does not fit (a missing body, an outbox row's changed_fields). */
    public static RequestRefused invalidWrite(String field, String expected, String actual) {
        return new RequestRefused(422, Problem.of("invalid-write", "Invalid write", 422,
                "The write's " + field + " must be " + expected + ", not " + actual + ".",
                List.of(new Problem.FieldError(field, null, expected, actual))), Map.of());
    }

    /** 422: PATCH on a type whose merge policy cannot apply partial writes. */
    public static RequestRefused patchNotSupported(String type, String policy) {
        return new RequestRefused(422, Problem.of("patch-not-supported", "PATCH not supported for " + type, 422,
                "Entity type '" + type + "' uses the " + policy + " policy, which replaces whole records; only field-merge types"
                        + " accept a merge patch. Send the whole entity with PUT instead.",
                List.of(new Problem.FieldError("type", null, "a type with policy field-merge", "\"" + type + "\" (" + policy + ")"))),
                Map.of());
    }

    /** 422: an expected version for a type whose merge policy does not check versions (it would be silently ignored). */
    public static RequestRefused versionCheckNotSupported(String type, String policy, String field) {
        return new RequestRefused(422, Problem.of("version-check-not-supported", "Version check not supported for " + type, 422,
                "Entity type '" + type + "' uses the " + policy + " policy, which orders writes by clock and does not check an"
                        + " expected version; only optimistic types do. Send the write without " + field + ".",
                List.of(new Problem.FieldError(field, null, "absent (" + type + " is not an optimistic type)", "a version"))),
                Map.of());
    }

    /** 422: an Idempotency-Key already used by this client for a different request. */
    public static RequestRefused idempotencyKeyReused(String key) {
        return new RequestRefused(422, Problem.of("idempotency-key-reused", "Idempotency-Key reused", 422,
                "The Idempotency-Key '" + key + "' was already used by this client for a different request; a retry must"
                        + " repeat the first request exactly (method, type, id, body, If-Match). Use a new key for a new write.",
                List.of(new Problem.FieldError("Idempotency-Key", null, "a key not used for another request", "\"" + key + "\""))),
                Map.of());
    }

    /** 422: a trusted writer's clock too far ahead of this instance's wall clock. */
    public static RequestRefused clockTooFarAhead(String field, String clock, long maxSkewMillis) {
        return new RequestRefused(422, Problem.of("invalid-clock", "Clock too far in the future", 422,
                "The supplied clock " + clock + " is more than " + maxSkewMillis + " ms ahead of this server's clock; "
                        + "sync-processor would refuse it as clock skew.",
                List.of(new Problem.FieldError(field, null, "a clock at most " + maxSkewMillis + " ms ahead", clock))), Map.of());
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public Problem problem() {
        return problem;
    }

    @Override
    public Map<String, String> headers() {
        return headers;
    }
}
