package dev.concord.producer.write;

import dev.concord.contract.problem.Problem;
import java.util.List;

/**
 * A payload (or one top-level field of a field-merge type) whose Avro encoding is over the limit
 * {@link PayloadLimits} derives from what sync-processor can write → 413: accepting it would mean a 202
 * for a write the processor then dead-letters.
 */
public final class PayloadTooLargeException extends RefusedException {

    private final String field;
    private final String pointer;
    private final int maxBytes;
    private final int actualBytes;

    PayloadTooLargeException(String type, String field, String pointer, int maxBytes, int actualBytes, int maxOutputBytes) {
        super((pointer.isEmpty() ? "The " + type + " payload" : "The " + type + " field '" + field + "'") + " is "
                + actualBytes + " bytes Avro-encoded; at most " + maxBytes + " are accepted, so that every record"
                + " sync-processor writes for it stays within " + maxOutputBytes + " bytes"
                + (pointer.isEmpty() ? "." : " (a field-merge state merges fields from many writes, so each field gets"
                + " an equal share)."));
        this.field = field;
        this.pointer = pointer;
        this.maxBytes = maxBytes;
        this.actualBytes = actualBytes;
    }

    @Override
    public int status() {
        return 413;
    }

    @Override
    public Problem problem() {
        return Problem.of("payload-too-large", "Payload too large", 413, getMessage(), List.of(new Problem.FieldError(field,
                pointer.isEmpty() ? null : pointer, "at most " + maxBytes + " bytes Avro-encoded", actualBytes + " bytes")));
    }
}
