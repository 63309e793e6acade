package dev.concord.contract.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The entity id grammar at its boundaries, for strings and for raw key bytes. */
class EntityIdGrammarTest {

    @Test
    void shouldAcceptOrdinaryIdsUpToTheLimitIncludingNonAscii() {
        assertThat(EntityIdGrammar.check("c-1")).isEmpty();
        assertThat(EntityIdGrammar.check("x".repeat(256))).isEmpty();
        assertThat(EntityIdGrammar.check("😀".repeat(256))).isEmpty();
        assertThat(EntityIdGrammar.check("Zürich/örder 1")).isEmpty();
    }

    @Test
    void shouldRefuseEveryKindOfHostileId() {
        assertThat(found("")).isEqualTo("nothing");
        assertThat(found("x".repeat(257))).isEqualTo("257 characters");
        assertThat(found("a\u0000b")).isEqualTo("control character U+0000");
        assertThat(found("a\r\nb")).isEqualTo("control character U+000D");
        assertThat(found("a\u0085b")).isEqualTo("control character U+0085");
        assertThat(found("a\u2028b")).isEqualTo("line separator U+2028");
        assertThat(found("evil\u202Etxt.exe")).isEqualTo("bidirectional control U+202E");
        assertThat(found("a\u2066b")).isEqualTo("bidirectional control U+2066");
        assertThat(found("a\uFFFDb")).isEqualTo("replacement character U+FFFD");
        assertThat(found("a\uD800b")).isEqualTo("unpaired surrogate U+D800");
        assertThat(found("   ")).isEqualTo("only whitespace");
        assertThat(found("\u3000\u00A0")).isEqualTo("only whitespace");
    }

    @Test
    void shouldDecodeRawKeysStrictly() {
        assertThat(EntityIdGrammar.decode("c-1".getBytes(StandardCharsets.UTF_8)).id()).isEqualTo("c-1");
        assertThat(EntityIdGrammar.decode("c-1".getBytes(StandardCharsets.UTF_8)).valid()).isTrue();
        EntityIdGrammar.Decoded invalid = EntityIdGrammar.decode(new byte[] {'c', (byte) 0xC3, '1'});
        assertThat(invalid.valid()).isFalse();
        assertThat(invalid.violation().found()).isEqualTo("invalid UTF-8");
        assertThat(EntityIdGrammar.decode(null).violation().found()).isEqualTo("null key");
        assertThat(EntityIdGrammar.decode("a\u0000".getBytes(StandardCharsets.UTF_8)).violation().found())
                .isEqualTo("control character U+0000");
    }

    /** decode has a fast path for plain ASCII keys: it must judge every key as the grammar does. */
    @Property(tries = 2000)
    void decodingAgreesWithTheGrammarForEveryShortKey(@ForAll @Size(max = 300) byte[] key, @ForAll boolean asciiOnly) {
        byte[] bytes = key.clone();
        if (asciiOnly) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (0x1E + Math.floorMod(bytes[i], 0x63)); // around the printable range's edges
            }
        }
        EntityIdGrammar.Decoded decoded = EntityIdGrammar.decode(bytes);
        String lenient = new String(bytes, StandardCharsets.UTF_8);
        boolean roundTrips = java.util.Arrays.equals(lenient.getBytes(StandardCharsets.UTF_8), bytes);
        assertThat(decoded.valid()).isEqualTo(roundTrips && EntityIdGrammar.isValid(lenient));
        if (decoded.valid()) {
            assertThat(decoded.id()).isEqualTo(lenient);
        }
    }

    @Test
    void plainAsciiKeysAreValidUnlessOnlySpacesOrTooLong() {
        assertThat(EntityIdGrammar.decode("c-1".getBytes(StandardCharsets.US_ASCII)).id()).isEqualTo("c-1");
        assertThat(EntityIdGrammar.decode("   ".getBytes(StandardCharsets.US_ASCII)).valid()).isFalse();
        assertThat(EntityIdGrammar.decode("a".repeat(257).getBytes(StandardCharsets.US_ASCII)).valid()).isFalse();
        assertThat(EntityIdGrammar.decode("a\tb".getBytes(StandardCharsets.US_ASCII)).valid()).isFalse();
    }

    private static String found(String id) {
        return EntityIdGrammar.check(id).orElseThrow().found();
    }
}
