package dev.concord.producer.publish;

import java.util.List;

/** The path names an entity type that is not declared; nothing can be validated or published for it. */
public final class UnknownEntityTypeException extends RuntimeException {

    private final String type;
    private final List<String> declaredTypes;

    UnknownEntityTypeException(String type, List<String> declaredTypes) {
        super("No entity type '" + type + "' is declared; declared types: " + String.join(", ", declaredTypes) + ".");
        this.type = type;
        this.declaredTypes = List.copyOf(declaredTypes);
    }

    public String type() {
        return type;
    }

    public List<String> declaredTypes() {
        return declaredTypes;
    }
}
