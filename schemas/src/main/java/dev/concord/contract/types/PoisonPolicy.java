package dev.concord.contract.types;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What sync-processor does with the later events of an entity after one of its events turned out to be poison (a
 * payload that does not decode as the type, an output too large): the poisoned event goes to {@code concord.dlq}
 * either way; the policy decides whether the entity's later events wait for an operator.
 */
public enum PoisonPolicy {
    /** Later events apply as if the poisoned one had never been written (what a type gets unless it says otherwise). */
    SKIP("skip"),
    /**
     * The entity is parked: its later events are held, in order, until an operator releases it (the poisoned event is
     * tried again, then the held ones) or skips the poisoned event (the held ones apply). For types whose events only
     * make sense in order — a patch after a lost patch would build a state that never existed.
     */
    PARK("park");

    private final String id;

    PoisonPolicy(String id) {
        this.id = id;
    }

    /** The name used in type declarations ({@code "poison": "park"}). */
    public String id() {
        return id;
    }

    public static PoisonPolicy fromId(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown poison policy '" + id + "'; expected one of "
                        + Arrays.stream(values()).map(PoisonPolicy::id).collect(Collectors.joining(", "))));
    }
}
