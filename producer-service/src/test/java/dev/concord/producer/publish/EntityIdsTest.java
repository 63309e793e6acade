package dev.concord.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** The entity id rule alone, at its boundaries. */
class EntityIdsTest {

    @Test
    void shouldAcceptIdsUpTo256CharactersIncludingNonAscii() {
        assertThat(EntityIds.requireValid("c-1")).isEqualTo("c-1");
        assertThat(EntityIds.requireValid("x".repeat(256))).hasSize(256);
        // 256 code points, 512 UTF-16 chars: the limit counts characters, not chars.
        assertThat(EntityIds.requireValid("😀".repeat(256))).hasSize(512);
        assertThat(EntityIds.requireValid("Zürich/örder 1")).isEqualTo("Zürich/örder 1");
    }

    @Test
    void shouldRefuseEmptyTooLongAndControlCharacters() {
        assertThat(catchThrowableOfType(InvalidEntityIdException.class, () -> EntityIds.requireValid("")).found())
                .isEqualTo("nothing");
        assertThat(catchThrowableOfType(InvalidEntityIdException.class, () -> EntityIds.requireValid("x".repeat(257))).found())
                .isEqualTo("257 characters");
        assertThat(catchThrowableOfType(InvalidEntityIdException.class, () -> EntityIds.requireValid("a\tb")).found())
                .isEqualTo("control character U+0009");
        assertThat(catchThrowableOfType(InvalidEntityIdException.class, () -> EntityIds.requireValid("a\u007fb")).found())
                .isEqualTo("control character U+007F");
    }
}
