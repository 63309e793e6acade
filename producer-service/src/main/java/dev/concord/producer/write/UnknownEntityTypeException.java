package dev.concord.producer.write;

import dev.concord.contract.problem.Problem;
import java.util.List;

/** The path names an entity type that is not declared; nothing can be validated or published for it. */
public final class UnknownEntityTypeException extends RefusedException {

    private final String type;
    private final List<String> declaredTypes;

    public UnknownEntityTypeException(String type, List<String> declaredTypes) {
        super("No entity type '" + type + "' is declared; declared types: " + String.join(", ", declaredTypes) + ".");
        this.type = type;
        this.declaredTypes = List.copyOf(declaredTypes);
    }

    /** 404: the path names a resource collection that does not exist. */
    @Override
    public int status() {
        return 404;
    }

    @Override
    public Problem problem() {
        return Problem.of("unknown-entity-type", "Unknown entity type", 404, getMessage(), List.of(
                new Problem.FieldError("type", null, "one of " + String.join(", ", declaredTypes), "\"" + type + "\"")));
    }

    public String type() {
        return type;
    }

    public List<String> declaredTypes() {
        return declaredTypes;
    }
}
