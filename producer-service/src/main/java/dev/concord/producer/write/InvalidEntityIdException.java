package dev.concord.producer.write;

import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.problem.Problem;
import java.util.List;

/**
 * An entity id that breaks {@link EntityIdGrammar} (the one id rule of every Concord door) → 400
 * naming {@code id}, with {@link EntityIdGrammar#RULE} as what was expected. The message is the problem detail.
 */
public final class InvalidEntityIdException extends RefusedException {

    private final String found;

    InvalidEntityIdException(EntityIdGrammar.Violation violation) {
        super(violation.detail());
        this.found = violation.found();
    }

    /** Every door (HTTP, batch, outbox, CDC) checks ids here. @return the id, when it follows the grammar */
    public static String requireValid(String id) {
        EntityIdGrammar.check(id).ifPresent(violation -> {
            throw new InvalidEntityIdException(violation);
        });
        return id;
    }

    /**
     * The id as the client sent it, percent-encoded in the raw path: its bytes must be valid UTF-8
     * (a lenient decoder would turn each invalid sequence into U+FFFD, so two different byte strings
     * would name one entity). Refuses malformed escapes too; returns the strictly decoded id.
     */
    public static String requireValidEncoded(String rawSegment) {
        byte[] bytes = PercentDecoding.decode(rawSegment);
        if (bytes == null) {
            throw new InvalidEntityIdException(new EntityIdGrammar.Violation(
                    "The entity id in the path has a malformed percent escape.", "malformed percent-encoding"));
        }
        EntityIdGrammar.Decoded decoded = EntityIdGrammar.decode(bytes);
        if (!decoded.valid()) {
            throw new InvalidEntityIdException(decoded.violation());
        }
        return decoded.id();
    }

    @Override
    public int status() {
        return 400;
    }

    @Override
    public Problem problem() {
        return Problem.of("invalid-entity-id", "Invalid entity id", 400, getMessage(),
                List.of(new Problem.FieldError("id", null, EntityIdGrammar.RULE, found)));
    }

    /** What was found instead, e.g. {@code 300 characters}. */
    public String found() {
        return found;
    }
}
