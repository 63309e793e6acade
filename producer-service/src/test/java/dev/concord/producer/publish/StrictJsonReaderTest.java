package dev.concord.producer.publish;

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
    void shouldRefuseAnEmptyBody() {
        assertThat(catchThrowableOfType(InvalidBodyException.class, () -> StrictJsonReader.readObject(" \n")))
                .hasMessage("The request body is empty; expected a JSON object.");
    }
}
