package dev.concord.contract.catalog;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Checks a candidate schema against a subject's earlier schemas with Avro's own schema-resolution
 * rules, and describes every break by the dotted field path it occurs at.
 */
final class CompatibilityChecker {

    private static final String ROOT = "(root)";

    private CompatibilityChecker() {
    }

    /** @param earlier the subject's schemas, oldest first */
    static List<String> problems(Schema candidate, List<Schema> earlier, CompatibilityMode mode) {
        if (mode == CompatibilityMode.NONE || earlier.isEmpty()) {
            return List.of();
        }
        List<Schema> against = mode.transitive ? earlier : List.of(earlier.get(earlier.size() - 1));
        List<String> problems = new ArrayList<>();
        for (Schema old : against) {
            if (mode.newReadsOld) {
                describe(candidate, old, "new schema cannot read data written with an earlier one", problems);
            }
            if (mode.oldReadsNew) {
                describe(old, candidate, "an earlier schema cannot read data written with the new one", problems);
            }
        }
        return problems.stream().distinct().toList();
    }

    private static void describe(Schema reader, Schema writer, String direction, List<String> out) {
        describe(reader, writer, direction, "", out);
    }

    private static void describe(Schema reader, Schema writer, String direction, String prefix, List<String> out) {
        for (Incompatibility incompatibility :
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult().getIncompatibilities()) {
            String path = fieldPath(reader, incompatibility);
            path = prefix.isEmpty() ? path : path.equals(ROOT) ? prefix : prefix + "." + path;
            Schema[] sameNamed = sameNamedBranches(incompatibility);
            if (sameNamed != null) {
                // Avro says only "reader union lacking writer type: RECORD" when a record inside an optional field
                // changed (["null", Address]): look inside it, to name the field that broke.
                describe(sameNamed[0], sameNamed[1], direction, path, out);
            } else {
                out.add("field '" + path + "': " + explain(incompatibility) + " (" + direction + ")");
            }
        }
    }

    /**
     * For a union whose writer branch has no compatible reader branch although a branch of the same name
     * exists: that reader branch and the writer branch (the location's last step is the writer branch's index).
     */
    private static Schema[] sameNamedBranches(Incompatibility incompatibility) {
        Schema union = incompatibility.getReaderFragment();
        Schema written = incompatibility.getWriterFragment();
        if (incompatibility.getType() != SchemaCompatibility.SchemaIncompatibilityType.MISSING_UNION_BRANCH
                || union == null || written == null || union.getType() != Schema.Type.UNION) {
            return null;
        }
        if (written.getType() == Schema.Type.UNION) {
            String[] steps = incompatibility.getLocation().split("/");
            String last = steps[steps.length - 1];
            if (!last.matches("\\d+") || Integer.parseInt(last) >= written.getTypes().size()) {
                return null;
            }
            written = written.getTypes().get(Integer.parseInt(last));
        }
        Schema branch = written;
        if (!EnumSet.of(Schema.Type.RECORD, Schema.Type.ENUM, Schema.Type.FIXED).contains(branch.getType())) {
            return null;
        }
        return union.getTypes().stream().filter(r -> r.getType() == branch.getType() && r.getFullName().equals(branch.getFullName()))
                .findFirst().map(r -> new Schema[] {r, branch}).orElse(null);
    }

    private static String explain(Incompatibility incompatibility) {
        return switch (incompatibility.getType()) {
            case READER_FIELD_MISSING_DEFAULT_VALUE -> "has no default value, so it cannot be filled in for records that lack it";
            case TYPE_MISMATCH -> "type " + incompatibility.getWriterFragment().getType() + " cannot be read as "
                    + incompatibility.getReaderFragment().getType();
            case MISSING_ENUM_SYMBOLS -> "enum symbols " + incompatibility.getMessage() + " are missing and there is no enum default";
            case MISSING_UNION_BRANCH -> "union lacks a branch: " + incompatibility.getMessage();
            case NAME_MISMATCH -> "named type changed: " + incompatibility.getMessage();
            case FIXED_SIZE_MISMATCH -> "fixed size changed: " + incompatibility.getMessage();
            default -> incompatibility.getMessage();
        };
    }

    /**
     * Turns Avro's location (a JSON pointer such as {@code /fields/2/type/fields/0}) into the dotted
     * field path of the reader schema, e.g. {@code address.city}. For a reader field without default,
     * Avro's message is the field's name, in case the location stops at the enclosing record.
     */
    static String fieldPath(Schema reader, Incompatibility incompatibility) {
        List<String> names = new ArrayList<>();
        Schema current = reader;
        String[] steps = incompatibility.getLocation().split("/");
        for (int i = 1; i < steps.length; i++) {
            String step = steps[i];
            if (step.equals("fields") && i + 1 < steps.length && current.getType() == Schema.Type.RECORD) {
                Schema.Field field = current.getFields().get(Integer.parseInt(steps[++i]));
                names.add(field.name());
                current = field.schema();
            } else if (step.equals("items") && current.getType() == Schema.Type.ARRAY) {
                current = current.getElementType();
            } else if (step.equals("values") && current.getType() == Schema.Type.MAP) {
                current = current.getValueType();
            } else if (step.matches("\\d+") && current.getType() == Schema.Type.UNION) {
                current = current.getTypes().get(Integer.parseInt(step));
            }
        }
        boolean locationStopsAtRecord = names.isEmpty() || !names.get(names.size() - 1).equals(incompatibility.getMessage());
        if (incompatibility.getType() == SchemaCompatibility.SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE
                && locationStopsAtRecord) {
            names.add(incompatibility.getMessage());
        }
        return names.isEmpty() ? ROOT : String.join(".", names);
    }
}
