package dev.concord.security;

import dev.concord.contract.problem.Problem;
import java.util.List;

/** An authenticated client without the grant an operation needs → 403 problem naming the grant. */
public final class ForbiddenException extends RuntimeException {

    private final Problem problem;

    public ForbiddenException(Client client, String type, Action action, String field) {
        super("Client '" + client.id() + "' may not " + action.grantName() + " " + type + ": it needs the grant "
                + Grants.needed(type, action) + " (or " + Grants.needed("*", action) + ").");
        this.problem = Problem.of("forbidden", "Forbidden", 403, getMessage(),
                List.of(new Problem.FieldError(field, null, "a client granted " + Grants.needed(type, action), "client '" + client.id() + "'")));
    }

    public Problem problem() {
        return problem;
    }
}
