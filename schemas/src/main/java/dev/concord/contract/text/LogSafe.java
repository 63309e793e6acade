package dev.concord.contract.text;

/**
 * Makes user-supplied text (types, ids, client ids, header values, paths) safe to put in a log line: no
 * input can end a line, forge a second one, or hide itself. Control characters, line separators and
 * bidirectional controls become {@code \\uXXXX}, backslashes are doubled, and long values are cut with
 * a marker, so a log line says exactly what was received and nothing more.
 */
public final class LogSafe {

    /** Longer values are cut: a log line is not the place for a megabyte of input. */
    public static final int MAX_CHARS = 200;

    private LogSafe() {
    }

    public static String of(Object value) {
        if (value == null) {
            return "null";
        }
        String text = value.toString();
        StringBuilder out = null;
        int limit = Math.min(text.length(), MAX_CHARS);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            boolean escape = c == '\\' || Character.isISOControl(c) || c == 0x2028 || c == 0x2029
                    || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
                    || Character.isSurrogate(c) && !validPairAt(text, i);
            if (escape && out == null) {
                out = new StringBuilder(limit + 16).append(text, 0, i);
            }
            if (out != null) {
                if (c == '\\') {
                    out.append("\\\\");
                } else if (escape) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        String safe = out == null ? text.substring(0, limit) : out.toString();
        return text.length() > MAX_CHARS ? safe + "…(" + text.length() + " chars)" : safe;
    }

    private static boolean validPairAt(String text, int i) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }
}
