package dev.concord.contract.outcomes;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code wait} preference of a {@code Prefer} request header (RFC 7240 §4.3): how long a client will wait for a
 * decision. Other preferences are ignored, as the RFC asks; a {@code wait} that is not a number of seconds is refused
 * (a 400 naming {@code Prefer}), and one longer than the server's bound is cut to it ({@code Preference-Applied} says so).
 */
public final class WaitPreference {

    public static final String PREFER = "Prefer";
    public static final String APPLIED = "Preference-Applied";
    public static final String RULE = "wait=<seconds>, a whole number, e.g. Prefer: wait=5";

    private static final Pattern WAIT = Pattern.compile("(?:^|[,;\\s])wait\\s*=\\s*\"?([^\",;\\s]*)\"?", Pattern.CASE_INSENSITIVE);
    private static final Pattern SECONDS = Pattern.compile("\\d{1,9}");

    private WaitPreference() {
    }

    /**
     * @return the wait asked for, at most {@code bound}; empty when the header asks none
     * @throws IllegalArgumentException when {@code wait} is there but not a whole number of seconds
     */
    public static Optional<Duration> of(String prefer, Duration bound) {
        if (prefer == null) {
            return Optional.empty();
        }
        Matcher m = WAIT.matcher(prefer);
        if (!m.find()) {
            return Optional.empty();
        }
        if (!SECONDS.matcher(m.group(1)).matches()) {
            throw new IllegalArgumentException("wait=" + m.group(1));
        }
        Duration asked = Duration.ofSeconds(Long.parseLong(m.group(1)));
        return Optional.of(asked.compareTo(bound) > 0 ? bound : asked);
    }

    /** The {@code Preference-Applied} value for a wait that was honoured. */
    public static String applied(Duration wait) {
        return "wait=" + wait.toSeconds();
    }
}
