package dev.concord.producer.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.concord.contract.ids.EntityIdGrammar;
import org.junit.jupiter.api.Test;

/** The door's id check: EntityIdGrammar, with a path segment's escapes decoded strictly. */
class InvalidEntityIdExceptionTest {

    @Test
    void shouldAcceptIdsOfTheGrammarIncludingNonAsciiAndEscapedOnes() {
        assertThat(InvalidEntityIdException.requireValid("Zürich/örder 1")).isEqualTo("Zürich/örder 1");
        assertThat(InvalidEntityIdException.requireValidEncoded("Z%C3%BCrich%2F1+2")).isEqualTo("Zürich/1+2");
        assertThat(InvalidEntityIdException.requireValidEncoded("%F0%9F%98%80".repeat(256))).hasSize(512);
    }

    @Test
    void shouldRefuseInvalidUtf8InsteadOfReplacingIt() {
        assertThat(found("a%FFb")).isEqualTo("invalid UTF-8");
        assertThat(found("a%C0%AF")).isEqualTo("invalid UTF-8");     // overlong '/'
        assertThat(found("a%ED%A0%80")).isEqualTo("invalid UTF-8");  // an encoded surrogate
        assertThat(found("a%E2%82")).isEqualTo("invalid UTF-8");     // truncated
        assertThat(found("a%EF%BF%BD")).isEqualTo("replacement character U+FFFD");
        assertThat(found("a%zz")).isEqualTo("malformed percent-encoding");
        assertThat(found("a%4")).isEqualTo("malformed percent-encoding");
    }

    @Test
    void shouldProduceAProblemNamingIdWithTheGrammarAsExpected() {
        InvalidEntityIdException e = catchThrowableOfType(InvalidEntityIdException.class,
                () -> InvalidEntityIdException.requireValid("a\u0000b"));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.problem().errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("id");
            assertThat(error.expected()).isEqualTo(EntityIdGrammar.RULE);
            assertThat(error.actual()).isEqualTo("control character U+0000");
        });
    }

    private static String found(String rawSegment) {
        return catchThrowableOfType(InvalidEntityIdException.class, () -> InvalidEntityIdException.requireValidEncoded(rawSegment))
                .found();
    }
}
