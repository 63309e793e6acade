package dev.concord.contract.types;

import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * A declared entity type: its name (also the topic suffix and catalog subject), the Avro record
 * schema of its payload, the merge policy, the partition count of its topics, and what a poisoned event
 * does to the entity's later ones.
 */
public record EntityType(String name, Schema schema, MergePolicy policy, int partitions, PoisonPolicy poison) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    /** Whether {@code name} can name an entity type (lowercase letters, digits and '-', starting with a letter). */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public EntityType {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("entity type name '" + name + "' must match " + NAME.pattern());
        }
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("schema of entity type '" + name + "' must be an Avro record, not " + schema.getType());
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("entity type '" + name + "' needs at least one partition");
        }
        if (poison == null) {
            throw new IllegalArgumentException("entity type '" + name + "' needs a poison policy");
        }
    }

    /** A type whose poisoned events are skipped ({@link PoisonPolicy#SKIP}). */
    public EntityType(String name, Schema schema, MergePolicy policy, int partitions) {
        this(name, schema, policy, partitions, PoisonPolicy.SKIP);
    }

    /** The schema catalog subject under which this type's payload schemas are registered. */
    public String subject() {
        return "entity." + name;
    }
}
