package dev.concord.contract.types;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How sync-processor resolves concurrent writes to one entity of a type. */
public enum MergePolicy {
    /** The whole record of the write with the greatest (clock, writer) wins. */
    LAST_WRITER_WINS("last-writer-wins"),
    /** Each field is its own last-writer-wins register; PATCH touches only its fields, so concurrent edits of different fields both survive. */
    FIELD_MERGE("field-merge"),
    /** Writes carrying an expected version apply only if it is the current one; the others are refused. */
    OPTIMISTIC("optimistic");

    private final String id;

    MergePolicy(String id) {
        this.id = id;
    }

    /** The name used in type declarations, e.g. {@code last-writer-wins}. */
    public String id() {
        return id;
    }

    public static MergePolicy fromId(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown merge policy '" + id + "'; expected one of "
                        + Arrays.stream(values()).map(MergePolicy::id).collect(Collectors.joining(", "))));
    }
}
