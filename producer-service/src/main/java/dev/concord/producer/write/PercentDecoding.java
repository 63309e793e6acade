package dev.concord.producer.write;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Decodes one raw URI path segment to its bytes, without interpreting them as text: the caller decodes
 * them strictly (see {@code EntityIdGrammar.decode}). Unlike {@code URLDecoder}, '+' stays '+' (that rule
 * is for query strings), and a malformed escape is reported rather than passed through.
 */
final class PercentDecoding {

    private PercentDecoding() {
    }

    /** The segment's bytes, or null when a '%' is not followed by two hex digits. */
    static byte[] decode(String rawSegment) {
        byte[] raw = rawSegment.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != '%') {
                out.write(raw[i]);
                continue;
            }
            int high = i + 2 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
            int low = i + 2 < raw.length ? Character.digit(raw[i + 2], 16) : -1;
            if (high < 0 || low < 0) {
                return null;
            }
            out.write(high << 4 | low);
            i += 2;
        }
        return out.toByteArray();
    }
}
