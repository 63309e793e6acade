package dev.concord.producer.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.json.Violation;
import org.junit.jupiter.api.Test;

/** What PostgreSQL cannot store is found at any depth and named by its path. */
class StorableTextTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldAcceptOrdinaryTextIncludingPairedSurrogatesAndOtherControls() {
        assertThatCode(() -> StorableText.requireStorable("customer",
                json("{\"name\": \"Ada \\uD83D\\uDE00\\t\", \"tags\": {\"k\\u0001\": [\"x\"]}}"))).doesNotThrowAnyException();
    }

    @Test
    void shouldNameEveryPlaceHoldingANulOrAnUnpairedSurrogate() {
        // Given: U+0000 in a value, a nested record's field, an array element, a map key; a lone surrogate
        JsonNode payload = json("{\"name\": \"A\\u0000\", \"address\": {\"street\": \"\\u0000\"},"
                + " \"lines\": [{\"sku\": \"ok\"}, {\"sku\": \"b\\u0000\"}], \"attributes\": {\"k\\u0000/~\": \"v\"},"
                + " \"note\": \"\\uDC00x\"}");

        // When
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class,
                () -> StorableText.requireStorable("order", payload));

        // Then
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.violations()).extracting(Violation::field)
                .containsExactly("name", "address.street", "lines[1].sku", "attributes.k\u0000/~", "note");
        assertThat(e.violations()).extracting(Violation::pointer).contains("/attributes/k\u0000~1~0");
        assertThat(e.violations()).extracting(Violation::actual).containsExactly("a string with U+0000 at index 1",
                "a string with U+0000 at index 0", "a string with U+0000 at index 1", "a field name with U+0000 at index 1",
                "a string with an unpaired surrogate U+DC00 at index 0");
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
