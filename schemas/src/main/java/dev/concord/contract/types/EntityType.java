package dev.concord.contract.types;

import dev.concord.contract.topics.TopicNames;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * A declared entity type: its name (also the topic suffix and catalog subject), the Avro record
 * schema of its payload, the merge policy, the partition count of its topics, what a poisoned event
 * does to the entity's later ones, and — for an {@code optimistic} type deployed in several regions — its home
 * region, the only one whose writes apply (docs/multi-region.md); null where none is declared.
 */
public record EntityType(String name, Schema schema, MergePolicy policy, int partitions, PoisonPolicy poison, String home) {

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
        if (home != null && (policy != MergePolicy.OPTIMISTIC || !TopicNames.isRegionName(home))) {
            throw new IllegalArgumentException("entity type '" + name + "': \"home\" is for optimistic types only and must be a"
                    + " region name (" + TopicNames.REGION_RULE + "), not '" + home + "' on a " + policy.id() + " type");
        }
    }

    public EntityType(String name, Schema schema, MergePolicy policy, int partitions, PoisonPolicy poison) {
        this(name, schema, policy, partitions, poison, null);
    }

    /**
     * Whether events of this type written in {@code region} may apply: always for a type without a home region; for one
     * with a home, only its home's own. Every region decides the same for the same event.
     */
    public boolean appliesWritesOf(String region) {
        return home == null || home.equals(region);
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
