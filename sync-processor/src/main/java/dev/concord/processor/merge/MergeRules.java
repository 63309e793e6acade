package dev.concord.processor.merge;

import dev.concord.contract.types.MergePolicy;

/** The merge rule that implements each declared policy. */
public final class MergeRules {

    private MergeRules() {
    }

    public static MergeRule forPolicy(MergePolicy policy) {
        return switch (policy) {
            case LAST_WRITER_WINS -> new LastWriterWins();
        };
    }
}
