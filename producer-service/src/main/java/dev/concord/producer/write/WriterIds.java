package dev.concord.producer.write;

import dev.concord.contract.settings.Settings;

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

    /** This producer's own writer id ({@code concord.writer-id}, {@code CONCORD_WRITER_ID}; on Kubernetes the pod's name). */
    public static String configured(Settings settings) {
        return requireConfigured(settings.text("concord.writer-id", "producer-1"), "concord.writer-id");
    }

    /** @throws IllegalArgumentException at start-up, naming the setting */
    public static String requireConfigured(String value, String setting) {
        if (!isValid(value)) {
            String shown = String.valueOf(value);
            throw new IllegalArgumentException(Settings.environmentVariable(setting) + " (" + setting + ") must be " + RULE + ", not \""
                    + (shown.length() > 40 ? shown.substring(0, 37) + "..." : shown) + "\"");
        }
        return value;
    }
}
