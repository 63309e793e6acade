package dev.concord.processor.errors;

/**
 * An output record would exceed what its topic accepts. Found before producing, on purpose: under
 * exactly-once a record the broker refuses puts the transaction in an error state, the task aborts
 * and replays the same input, over and over. Thrown from the processor instead, it reaches the
 * processing handler, which dead-letters the input (stage {@code produce}) and moves on.
 */
public final class OutputTooLargeException extends PoisonEventException {

    public OutputTooLargeException(String message) {
        super(message);
    }
}
