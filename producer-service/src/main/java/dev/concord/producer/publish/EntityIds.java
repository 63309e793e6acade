package dev.concord.producer.publish;

/**
 * The rule for entity ids, which become Kafka keys and primary keys in every replica's store:
 * 1 to {@value #MAX_LENGTH} characters, no control characters (they break logs, headers and
 * terminals, and are never meant).
 */
public final class EntityIds {

    public static final int MAX_LENGTH = 256;
    public static final String RULE = "1 to " + MAX_LENGTH + " characters without control characters";

    private EntityIds() {
    }

    /** @throws InvalidEntityIdException naming what is wrong with the id */
    public static String requireValid(String id) {
        if (id == null || id.isEmpty()) {
            throw new InvalidEntityIdException("The entity id is empty.", "nothing");
        }
        int length = id.codePointCount(0, id.length());
        if (length > MAX_LENGTH) {
            throw new InvalidEntityIdException("The entity id has " + length + " characters; at most " + MAX_LENGTH
                    + " are allowed.", length + " characters");
        }
        int controlAt = firstControlCharacter(id);
        if (controlAt >= 0) {
            throw new InvalidEntityIdException(String.format("The entity id contains the control character U+%04X at index %d.",
                    (int) id.charAt(controlAt), controlAt), String.format("control character U+%04X", (int) id.charAt(controlAt)));
        }
        return id;
    }

    private static int firstControlCharacter(String id) {
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
