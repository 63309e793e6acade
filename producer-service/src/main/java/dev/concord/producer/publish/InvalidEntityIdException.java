package dev.concord.producer.publish;

/** The entity id in the path breaks {@link EntityIds#RULE}. The message is the problem detail. */
public final class InvalidEntityIdException extends RuntimeException {

    private final String found;

    InvalidEntityIdException(String detail, String found) {
        super(detail);
        this.found = found;
    }

    /** What was found instead, e.g. {@code 300 characters}. */
    public String found() {
        return found;
    }
}
