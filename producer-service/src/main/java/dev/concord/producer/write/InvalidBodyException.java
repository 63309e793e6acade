package dev.concord.producer.write;

import dev.concord.contract.json.Violation;
import dev.concord.contract.problem.Problem;
import java.util.List;

/**
 * The request body is not a JSON object: empty, not JSON at all (with line and column), JSON over one
 * of the parser's limits (nesting, number length), or JSON of another kind (an array, a string, ...).
 * The message is the problem detail shown to the client.
 */
public final class InvalidBodyException extends RefusedException {

    /** What is wrong with the body; each kind is its own problem type. */
    public enum Kind {
        /** Not JSON at all, or more than one value: {@code malformed-json}. */
        SYNTAX,
        /** JSON beyond {@link StrictJsonReader}'s limits: {@code json-limit-exceeded}. */
        OVER_LIMIT,
        /** Well-formed JSON of the wrong kind: {@code not-a-json-object} / {@code not-a-json-array}. */
        WRONG_KIND
    }

    private final transient Violation violation;
    private final Kind kind;
    private final String expectedKind;

    InvalidBodyException(String detail, Violation violation, Kind kind) {
        this(detail, violation, kind, "object");
    }

    /** @param expectedKind {@code object} (an entity) or {@code array} (a batch) */
    InvalidBodyException(String detail, Violation violation, Kind kind, String expectedKind) {
        super(detail);
        this.violation = violation;
        this.kind = kind;
        this.expectedKind = expectedKind;
    }

    /** Where in the body, what was expected there and what was found. */
    public Violation violation() {
        return violation;
    }

    /** 400: a body that cannot be read is a broken request, not a payload that fails the schema (that is a 422). */
    @Override
    public int status() {
        return 400;
    }

    @Override
    public Problem problem() {
        List<Problem.FieldError> errors = List.of(Problem.FieldError.of(violation));
        return switch (kind) {
            case SYNTAX -> Problem.of("malformed-json", "Malformed JSON", 400, getMessage(), errors);
            case OVER_LIMIT -> Problem.of("json-limit-exceeded", "JSON exceeds a parsing limit", 400, getMessage(), errors);
            case WRONG_KIND -> Problem.of("not-a-json-" + expectedKind, "Body is not a JSON " + expectedKind, 400, getMessage(), errors);
        };
    }

    public Kind kind() {
        return kind;
    }

    /** True if the body is not JSON at all; false if it is JSON but not an object. */
    public boolean syntaxError() {
        return kind == Kind.SYNTAX;
    }
}
