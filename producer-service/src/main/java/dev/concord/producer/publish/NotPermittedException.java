package dev.concord.producer.publish;

import dev.concord.contract.problem.Problem;
import dev.concord.producer.write.RefusedException;
import java.util.List;

/** An authenticated client without the grant a write needs → 403 naming the grant. Nothing is published. */
public final class NotPermittedException extends RefusedException {

    private final String field;
    private final String neededGrant;
    private final String clientId;

    public NotPermittedException(String clientId, String neededGrant, String field, String detail) {
        super(detail);
        this.clientId = clientId;
        this.neededGrant = neededGrant;
        this.field = field;
    }

    public String neededGrant() {
        return neededGrant;
    }

    @Override
    public int status() {
        return 403;
    }

    @Override
    public Problem problem() {
        return Problem.of("forbidden", "Forbidden", 403, getMessage(),
                List.of(new Problem.FieldError(field, null, "a client granted " + neededGrant, "client '" + clientId + "'")));
    }
}
