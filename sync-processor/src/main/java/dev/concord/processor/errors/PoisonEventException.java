package dev.concord.processor.errors;

/** An event that decodes as an envelope but cannot be applied as it stands: it belongs in the dead-letter topic. */
public class PoisonEventException extends RuntimeException {

    public PoisonEventException(String message) {
        super(message);
    }

    public PoisonEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
