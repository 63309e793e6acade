package dev.concord.contract.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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

    private static String found(String id) {
        return EntityIdGrammar.check(id).orElseThrow().found();
    }
}
