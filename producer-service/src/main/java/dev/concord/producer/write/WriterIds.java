package dev.concord.producer.write;

/**
 * The rule for writer ids, wherever one comes from: a trusted writer's {@code X-Concord-Writer} header, or
 * configuration ({@code concord.writer-id}, the outbox's and CDC's). Writer ids travel in every event, state
 * and ledger record and break merge ties, so they are short visible ASCII ({@link PayloadLimits}).
 */
public final class WriterIds {

    public static final String RULE = "1 to " + PayloadLimits.MAX_WRITER_BYTES + " visible ASCII characters";

    private WriterIds() {
    }

    public static boolean isValid(String value) {
        return value != null && !value.isEmpty() && value.length() <= PayloadLimits.MAX_WRITER_BYTES
                && value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }

    /** @throws IllegalArgumentException at start-up, naming the setting */
    public static String requireConfigured(String value, String setting) {
        if (!isValid(value)) {
            String shown = String.valueOf(value);
            throw new IllegalArgumentException(setting + " must be " + RULE + ", not \""
                    + (shown.length() > 40 ? shown.substring(0, 37) + "..." : shown) + "\"");
        }
        return value;
    }
}
