package dev.concord.producer.publish;

import dev.concord.contract.json.Violation;

/**
 * The request body is not a JSON object: empty, not JSON at all (with line and column), or JSON
 * of another kind (an array, a string, ...). The message is the problem detail shown to the client.
 */
public final class InvalidBodyException extends RuntimeException {

    private final transient Violation violation;
    private final boolean syntaxError;

    InvalidBodyException(String detail, Violation violation, boolean syntaxError) {
        super(detail);
        this.violation = violation;
        this.syntaxError = syntaxError;
    }

    /** Where in the body, what was expected there and what was found. */
    public Violation violation() {
        return violation;
    }

    /** True if the body is not JSON at all; false if it is JSON but not an object. */
    public boolean syntaxError() {
        return syntaxError;
    }
}
