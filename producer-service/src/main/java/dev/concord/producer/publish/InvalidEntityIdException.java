package dev.concord.producer.publish;

import dev.concord.contract.problem.Problem;
import java.util.List;

/** The entity id in the path breaks {@link EntityIds#RULE}. The message is the problem detail. */
public final class InvalidEntityIdException extends RefusedException {

    private final String found;

    InvalidEntityIdException(String detail, String found) {
        super(detail);
        this.found = found;
    }

    @Override
    public int status() {
        return 400;
    }

    @Override
    public Problem problem() {
        return Problem.of("invalid-entity-id", "Invalid entity id", 400, getMessage(),
                List.of(new Problem.FieldError("id", null, EntityIds.RULE, found)));
    }

    /** What was found instead, e.g. {@code 300 characters}. */
    public String found() {
        return found;
    }
}
