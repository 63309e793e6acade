package dev.concord.contract.catalog;

import java.util.List;

/** A schema was refused because it breaks its subject's compatibility mode; {@link #problems()} name the fields. */
public final class IncompatibleSchemaException extends RuntimeException {

    private final List<String> problems;

    public IncompatibleSchemaException(String subject, CompatibilityMode mode, List<String> problems) {
        super("schema for subject '" + subject + "' breaks " + mode + " compatibility: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
