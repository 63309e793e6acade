package dev.concord.producer.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** The body reader alone: what it accepts, and where and why it refuses. */
class StrictJsonReaderTest {

    @Test
    void shouldReadAnObject() {
        assertThat(StrictJsonReader.readObject("{\"name\": \"Ada\"}").get("name").textValue()).isEqualTo("Ada");
    }

    @Test
    void shouldNameLineColumnAndFieldOfASyntaxError() {
        InvalidBodyException e = catchThrowableOfType(InvalidBodyException.class,
                () -> StrictJsonReader.readObject("{\"address\": {\n  \"city\": \"London\",\n  \"street\": ]}}"));

        assertThat(e.syntaxError()).isTrue();
        assertThat(e.getMessage()).contains("line 3, column 13").contains("address.street").endsWith("expected a JSON object.");
        assertThat(e.violation().pointer()).isEqualTo("/address/street");
    }

    @Test
    void shouldRefuseJsonThatIsNotAnObject() {
        InvalidBodyException e = catchThrowableOfType(InvalidBodyException.class, () -> StrictJsonReader.readObject("42"));

        assertThat(e.syntaxError()).isFalse();
        assertThat(e.violation().pointer()).isEmpty();
        assertThat(e.violation().actual()).isEqualTo("number 42");
    }

    @Test
    void shouldRefuseDuplicateFieldsAndTrailingContent() {
        assertThat(catchThrowableOfType(InvalidBodyException.class, () -> StrictJsonReader.readObject("{\"a\": 1, \"a\": 2}")))
                .hasMessageContaining("Duplicate field 'a'");
        assertThat(catchThrowableOfType(InvalidBodyException.class, () -> StrictJsonReader.readObject("{} []")))
                .hasMessageContaining("line 1, column");
    }

    @Test
    void shouldRefuseNestingBeyondTheLimitQuicklyNamingTheLimit() {
        String deep = "{\"a\": " + "[".repeat(20_000) + "]".repeat(20_000) + "}";

        InvalidBodyException e = catchThrowableOfType(InvalidBodyException.class, () -> StrictJsonReader.readObject(deep));

        assertThat(e.kind()).isEqualTo(InvalidBodyException.Kind.OVER_LIMIT);
        assertThat(e.problem().type()).endsWith("/json-limit-exceeded");
        assertThat(e.violation().expected()).isEqualTo("objects and arrays nested at most 64 levels deep");
        assertThat(StrictJsonReader.readObject("{\"a\": " + "[".repeat(62) + "]".repeat(62) + "}")).isNotNull();
    }

    @Test
    void shouldRefuseANumberBeyondTheLimitNamingItsField() {
        InvalidBodyException e = catchThrowableOfType(InvalidBodyException.class,
                () -> StrictJsonReader.readObject("{\"total\": " + "9".repeat(6_000) + "}"));

        assertThat(e.kind()).isEqualTo(InvalidBodyException.Kind.OVER_LIMIT);
        assertThat(e.violation().pointer()).isEqualTo("/total");
        assertThat(e.violation().expected()).isEqualTo("a number of at most 100 characters");
        assertThat(e.getMessage()).contains("line 1, column");
    }

    @Test
    void shouldRefuseInvalidUtf8InsteadOfReplacingIt() {
        byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}'};

        InvalidBodyException e = catchThrowableOfType(InvalidBodyException.class, () -> StrictJsonReader.readObject(body));

        assertThat(e.syntaxError()).isTrue();
        assertThat(e.violation().pointer()).isEqualTo("/a");
    }

    @Test
    void shouldRefuseAnEmptyBody() {
        assertThat(catchThrowableOfType(InvalidBodyException.class, () -> StrictJsonReader.readObject(" \n")))
                .hasMessage("The request body is empty; expected a JSON object.");
    }
}
