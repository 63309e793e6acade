package dev.concord.producer.publish;

import dev.concord.contract.json.PayloadValidationException;
import dev.concord.contract.json.Violation;
import java.util.List;

/** A well-formed JSON object that does not fit its entity type's schema; every violation is listed. */
public final class InvalidPayloadException extends RuntimeException {

    private final String entityType;
    private final transient List<Violation> violations;

    InvalidPayloadException(String entityType, PayloadValidationException cause) {
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
}
