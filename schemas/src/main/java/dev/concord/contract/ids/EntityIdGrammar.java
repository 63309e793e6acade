package dev.concord.contract.ids;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The one grammar for entity ids, enforced identically by every door (HTTP, outbox, CDC) and by the
 * processor on raw events. Ids become Kafka keys, primary keys in every replica, URL segments and log
 * fields, so an id is:
 * <ul>
 *   <li>1 to {@value #MAX_LENGTH} characters (code points) and at most {@value #MAX_UTF8_BYTES} bytes of UTF-8;</li>
 *   <li>valid Unicode: no unpaired surrogate, and no U+FFFD, the replacement character a lenient decoder
 *       substitutes for invalid UTF-8 (two different byte strings must never name one entity);</li>
 *   <li>free of control characters (C0, DEL, C1, including NUL, CR and LF), line and paragraph separators,
 *       and bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which disguise text;</li>
 *   <li>not only whitespace.</li>
 * </ul>
 */
public final class EntityIdGrammar {

    public static final int MAX_LENGTH = 256;
    public static final int MAX_UTF8_BYTES = 1024;
    /** The rule in words, for problem details and error messages. */
    public static final String RULE = "1 to " + MAX_LENGTH + " characters of valid UTF-8, not only whitespace, without"
            + " control, bidirectional-override, line-separator or replacement (U+FFFD) characters";

    private EntityIdGrammar() {
    }

    /** What is wrong with an id: a sentence for humans and a short "found" for the problem's field error. */
    public record Violation(String detail, String found) {
    }

    /** The violation, or empty when {@code id} is a valid entity id. */
    public static Optional<Violation> check(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.of(new Violation("The entity id is empty.", "nothing"));
        }
        int length = id.codePointCount(0, id.length());
        if (length > MAX_LENGTH) {
            return Optional.of(new Violation("The entity id has " + length + " characters; at most " + MAX_LENGTH
                    + " are allowed.", length + " characters"));
        }
        boolean onlyWhitespace = true;
        for (int i = 0; i < id.length(); ) {
            int cp = id.codePointAt(i);
            String refused = refusedCharacter(cp);
            if (refused != null) {
                String found = String.format("%s U+%04X", refused, cp);
                return Optional.of(new Violation(String.format("The entity id contains the %s at index %d.", found, i), found));
            }
            if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) {
                onlyWhitespace = false;
            }
            i += Character.charCount(cp);
        }
        if (onlyWhitespace) {
            return Optional.of(new Violation("The entity id is only whitespace.", "only whitespace"));
        }
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_UTF8_BYTES) {
            return Optional.of(new Violation("The entity id is " + bytes + " bytes of UTF-8; at most " + MAX_UTF8_BYTES
                    + " are allowed.", bytes + " bytes"));
        }
        return Optional.empty();
    }

    /** True when {@code id} follows the grammar. */
    public static boolean isValid(String id) {
        return check(id).isEmpty();
    }

    /**
     * Decodes a raw key (a Kafka key, a path segment's bytes) strictly: invalid UTF-8 is a violation, never
     * silently replaced. Returns the id, or the violation.
     */
    public static Decoded decode(byte[] utf8) {
        if (utf8 == null) {
            return new Decoded(null, new Violation("The entity id is missing (null key).", "null key"));
        }
        if (isPlainAscii(utf8)) {
            // The common case, decided without a charset decoder or a code point walk (the processor runs
            // this for every event): printable ASCII, not only spaces, within the length limit.
            return new Decoded(new String(utf8, StandardCharsets.US_ASCII), null);
        }
        String id;
        try {
            id = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            return new Decoded(null, new Violation("The entity id is not valid UTF-8.", "invalid UTF-8"));
        }
        return new Decoded(id, check(id).orElse(null));
    }

    /** 1 to MAX_LENGTH printable ASCII bytes (U+0020–U+007E), at least one of them not a space: valid as it is. */
    private static boolean isPlainAscii(byte[] utf8) {
        if (utf8.length == 0 || utf8.length > MAX_LENGTH) {
            return false;
        }
        boolean onlySpaces = true;
        for (byte b : utf8) {
            if (b < 0x20 || b > 0x7E) {
                return false;
            }
            onlySpaces &= b == 0x20;
        }
        return !onlySpaces;
    }

    /** A strictly decoded id: {@code violation} is null when the id is valid. */
    public record Decoded(String id, Violation violation) {
        public boolean valid() {
            return violation == null;
        }
    }

    private static String refusedCharacter(int cp) {
        if (Character.isISOControl(cp)) {
            return "control character";
        }
        if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
            return "unpaired surrogate";
        }
        if (cp == 0x2028 || cp == 0x2029) {
            return "line separator";
        }
        if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F) {
            return "bidirectional control";
        }
        if (cp == 0xFFFD) {
            return "replacement character";
        }
        return null;
    }
}
