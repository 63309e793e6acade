package dev.concord.producer.publish;

import dev.concord.contract.outcomes.WriteOutcome;
import dev.concord.contract.problem.Problem;
import java.util.List;
import java.util.Map;

/**
 * The problem a waiting client gets when sync-processor refused its write after producer-service published it: 409
 * for a stale {@code If-Match} (with the entity's current version, as {@code ETag} too, to re-read and retry), 422
 * for the other reasons. The write was published and decided: unlike a door's refusal, it is in the ledger.
 */
public final class RejectedWrite {

    private RejectedWrite() {
    }

    public static int status(WriteOutcome outcome) {
        return "VERSION_MISMATCH".equals(outcome.reason()) ? 409 : 422;
    }

    public static Problem problem(WriteOutcome outcome) {
        if (status(outcome) == 409) {
            return Problem.of("version-mismatch", "Version mismatch", 409, "The entity is at version " + outcome.version()
                            + ", not the one If-Match named: " + outcome.detail() + ". Re-read it and send the write again.",
                    List.of(new Problem.FieldError(RequestHeaders.IF_MATCH, null, "\"" + outcome.version() + "\" (the current version)",
                            "a stale version")));
        }
        return Problem.of("write-rejected", "Write rejected", 422, "sync-processor refused the write (" + outcome.reason() + "): "
                + outcome.detail(), List.of(new Problem.FieldError(field(outcome.reason()), null, "a write the processor applies",
                outcome.reason())));
    }

    /** {@code ETag} of the current version, for a 409. */
    public static Map<String, String> headers(WriteOutcome outcome) {
        return status(outcome) == 409 ? Map.of("ETag", "\"" + outcome.version() + "\"") : Map.of();
    }

    private static String field(String reason) {
        return switch (reason) {
            case "CLOCK_SKEW" -> RequestHeaders.CLOCK;
            case "INVALID_ENTITY_ID", "WRONG_PARTITION" -> "id";
            default -> "(body)";
        };
    }
}
