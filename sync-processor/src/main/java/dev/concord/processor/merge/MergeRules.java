package dev.concord.processor.merge;

import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.types.EntityType;

/** The merge rule that implements each declared policy. */
public final class MergeRules {

    private MergeRules() {
    }

    public static MergeRule forType(EntityType type, PayloadCodec payloads) {
        return switch (type.policy()) {
            case LAST_WRITER_WINS -> new LastWriterWins(type.schema());
            case FIELD_MERGE -> new FieldMerge(type.schema(), payloads);
            case OPTIMISTIC -> new Optimistic(new LastWriterWins(type.schema()));
        };
    }

    /** The rule's name, as the conflict ledger records it. */
    public static String ruleName(EntityType type) {
        return type.policy().id();
    }
}
