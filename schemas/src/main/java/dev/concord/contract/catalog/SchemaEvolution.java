package dev.concord.contract.catalog;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The catalog's compatibility rule as a check a team calls from its own build, before a schema reaches
 * a running service: a changed .avsc against the versions already in use, each break naming its field.
 *
 * <pre>{@code
 * Schema before = new Schema.Parser().parse(oldAvsc);
 * Schema after = new Schema.Parser().parse(newAvsc);
 * assertThat(SchemaEvolution.problems(after, List.of(before), CompatibilityMode.FULL_TRANSITIVE)).isEmpty();
 * // or: SchemaEvolution.requireCompatible("entity.customer", after, List.of(before), CompatibilityMode.FULL_TRANSITIVE);
 * }</pre>
 */
public final class SchemaEvolution {

    private SchemaEvolution() {
    }

    /**
     * @param earlier the subject's schemas in use, oldest first
     * @return each break, as {@code field '<dotted.path>': <what> (<direction>)}; empty when compatible
     */
    public static List<String> problems(Schema candidate, List<Schema> earlier, CompatibilityMode mode) {
        return CompatibilityChecker.problems(candidate, earlier, mode);
    }

    /** @throws IncompatibleSchemaException naming every field that breaks {@code mode} */
    public static void requireCompatible(String subject, Schema candidate, List<Schema> earlier, CompatibilityMode mode) {
        List<String> problems = problems(candidate, earlier, mode);
        if (!problems.isEmpty()) {
            throw new IncompatibleSchemaException(subject, mode, problems);
        }
    }
}
