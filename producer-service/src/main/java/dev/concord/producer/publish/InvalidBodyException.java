package dev.concord.producer.publish;

import dev.concord.contract.json.Violation;
import dev.concord.contract.problem.Problem;
import java.util.List;

/**
 * The request body is not a JSON object: empty, not JSON at all (with line and column), or JSON
 * of another kind (an array, a string, ...). The message is the problem detail shown to the client.
 */
public final class InvalidBodyException extends RefusedException {

    private final transient Violation violation;
    private final boolean syntaxError;

    private final String expectedKind;

    InvalidBodyException(String detail, Violation violation, boolean syntaxError) {
        this(detail, violation, syntaxError, "object");
    }

    /** @param expectedKind {@code object} (an entity) or {@code array} (a batch) */
    InvalidBodyException(String detail, Violation violation, boolean syntaxError, String expectedKind) {
        super(detail);
        this.violation = violation;
        this.syntaxError = syntaxError;
        this.expectedKind = expectedKind;
    }

    /** Where in the body, what was expected there and what was found. */
    public Violation violation() {
        return violation;
    }

    /** 400: malformed JSON is a broken request, not a payload that fails the schema (that is a 422). */
    @Override
    public int status() {
        return 400;
    }

    @Override
    public Problem problem() {
        return syntaxError
                ? Problem.of("malformed-json", "Malformed JSON", 400, getMessage(), List.of(Problem.FieldError.of(violation)))
                : Problem.of("not-a-json-" + expectedKind, "Body is not a JSON " + expectedKind, 400, getMessage(),
                        List.of(Problem.FieldError.of(violation)));
    }

    /** True if the body is not JSON at all; false if it is JSON but not an object. */
    public boolean syntaxError() {
        return syntaxError;
    }
}
