package dev.concord.producer.write;

import dev.concord.contract.json.PayloadValidationException;
import dev.concord.contract.json.Violation;
import dev.concord.contract.problem.Problem;
import java.util.List;

/**
 * A well-formed JSON object that does not fit its entity type's schema → 422 Unprocessable Content:
 * the request is well-formed, its content is wrong. Every violation is listed, each with field path,
 * JSON Pointer, what was expected and what was found, so a client fixes all of them in one round trip.
 */
public final class InvalidPayloadException extends RefusedException {

    private final String entityType;
    private final transient List<Violation> violations;

    public InvalidPayloadException(String entityType, PayloadValidationException cause) {
        super("The " + entityType + " payload does not match its schema: " + cause.getMessage(), cause);
        this.entityType = entityType;
        this.violations = cause.violations();
    }

    public String entityType() {
        return entityType;
    }

    public List<Violation> violations() {
        return violations;
    }

    @Override
    public int status() {
        return 422;
    }

    @Override
    public Problem problem() {
        int count = violations.size();
        String detail = "The " + entityType + " payload does not match its schema (" + count
                + (count == 1 ? " problem" : " problems") + "): " + getCause().getMessage() + ".";
        return Problem.of("invalid-payload", "Payload does not match the " + entityType + " schema", 422, detail,
                violations.stream().map(Problem.FieldError::of).toList());
    }
}
