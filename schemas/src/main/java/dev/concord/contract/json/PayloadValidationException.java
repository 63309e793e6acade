package dev.concord.contract.json;

import java.util.List;
import java.util.stream.Collectors;

/** A JSON payload does not fit its entity type's schema; every reason is listed, not just the first. */
public final class PayloadValidationException extends RuntimeException {

    private final List<Violation> violations;

    public PayloadValidationException(List<Violation> violations) {
        super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
