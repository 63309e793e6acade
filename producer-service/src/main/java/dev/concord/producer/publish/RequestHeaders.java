package dev.concord.producer.publish;

import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.producer.write.EventIds;
import dev.concord.producer.write.PayloadLimits;
import dev.concord.producer.write.RequestRefused;
import dev.concord.producer.write.WriterIds;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The request headers the publish API reads beyond the body, parsed strictly: a malformed one is a 400 naming it. */
public final class RequestHeaders {

    public static final String IF_MATCH = "If-Match";
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String CLOCK = "X-Concord-Clock";
    public static final String WRITER = "X-Concord-Writer";
    public static final String REPLAYED = "Idempotent-Replayed";

    static final String VERSION_RULE = "a strong entity tag holding the version, e.g. \"3\" (0 = not yet created)";
    static final String CLOCK_RULE = "<physicalMillis>.<logical>, e.g. 1795837256416.0";

    private static final Pattern VERSION_TAG = Pattern.compile("\"(\\d{1,18})\"");
    private static final Pattern CLOCK_VALUE = Pattern.compile("(\\d{1,18})\\.(\\d{1,9})");

    private RequestHeaders() {
    }

    /** {@code If-Match: "3"} → 3; absent → null. Weak tags and {@code *} are refused: a version is exact. */
    public static Long expectedVersion(String ifMatch) {
        if (ifMatch == null) {
            return null;
        }
        Matcher m = VERSION_TAG.matcher(ifMatch.trim());
        if (!m.matches()) {
            throw RequestRefused.invalidHeader(IF_MATCH, VERSION_RULE, quoted(ifMatch),
                    "If-Match must name exactly one version as a strong entity tag, e.g. If-Match: \"3\".");
        }
        return Long.parseLong(m.group(1));
    }

    public static String idempotencyKey(String key) {
        if (key == null) {
            return null;
        }
        if (!EventIds.validKey(key)) {
            throw RequestRefused.invalidHeader(IDEMPOTENCY_KEY, EventIds.KEY_RULE, key.length() + " characters" + (key.isEmpty() ? "" : ", " + quoted(key)),
                    "Idempotency-Key must be " + EventIds.KEY_RULE + ", e.g. a UUID the client generates per write.");
        }
        return key;
    }

    public static HlcTimestamp clock(String value, String source) {
        if (value == null) {
            return null;
        }
        Matcher m = CLOCK_VALUE.matcher(value.trim());
        if (!m.matches() || Long.parseLong(m.group(2)) > Integer.MAX_VALUE) {
            throw RequestRefused.invalidHeader(source, CLOCK_RULE, quoted(value), source + " must be " + CLOCK_RULE + ".");
        }
        return new HlcTimestamp(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public static String writer(String value, String source) {
        if (value == null) {
            return null;
        }
        if (!WriterIds.isValid(value)) {
            throw RequestRefused.invalidHeader(source, WriterIds.RULE, quoted(value), source + " must be " + WriterIds.RULE + ".");
        }
        return value;
    }

    /** The trusted-writer fields from the headers, or null when neither is present. */
    public static WriteCommand.ServerFields serverFields(String clockHeader, String writerHeader) {
        if (clockHeader == null && writerHeader == null) {
            return null;
        }
        return new WriteCommand.ServerFields(clock(clockHeader, CLOCK), writer(writerHeader, WRITER), CLOCK, WRITER);
    }

    private static String quoted(String value) {
        String shown = value.length() > 40 ? value.substring(0, 37) + "..." : value;
        return "\"" + shown.replaceAll("\\p{Cntrl}", "?") + "\"";
    }
}
