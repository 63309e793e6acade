package dev.concord.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Same origin by default; listed origins on top; anything else refused. */
class WebSocketOriginFilterTest {

    @Test
    void shouldAllowTheSameOriginAndListedOriginsOnly() {
        WebSocketOriginFilter filter = new WebSocketOriginFilter(List.of("https://app.example.com"));

        assertThat(filter.allowed("http://replica.internal:8083", "replica.internal:8083")).isTrue();
        assertThat(filter.allowed("https://replica.example.com", "replica.example.com")).isTrue();
        assertThat(filter.allowed("https://app.example.com", "replica.example.com")).isTrue();
        assertThat(filter.allowed("https://evil.example", "replica.example.com")).isFalse();
        assertThat(filter.allowed("http://replica.internal:9999", "replica.internal:8083")).isFalse();
        assertThat(filter.allowed("null", "replica.internal:8083")).isFalse();
        assertThat(filter.allowed("http://replica.internal:8083", null)).isFalse();
    }
}
