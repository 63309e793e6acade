package dev.concord.contract.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** No input can forge or hide a log line. */
class LogSafeTest {

    @Test
    void shouldEscapeLineBreaksControlsAndBidiOverrides() {
        assertThat(LogSafe.of("c-1\r\n2026-11-29 INFO forged")).isEqualTo("c-1\\u000d\\u000a2026-11-29 INFO forged");
        assertThat(LogSafe.of("a\u0000b\u001bc")).isEqualTo("a\\u0000b\\u001bc");
        assertThat(LogSafe.of("a\u2028b\u202Ec")).isEqualTo("a\\u2028b\\u202ec");
        assertThat(LogSafe.of("back\\slash")).isEqualTo("back\\\\slash");
    }

    @Test
    void shouldLeaveOrdinaryTextAloneAndCutLongValues() {
        assertThat(LogSafe.of("Zürich 😀")).isEqualTo("Zürich 😀");
        assertThat(LogSafe.of(null)).isEqualTo("null");
        assertThat(LogSafe.of("x".repeat(1000))).isEqualTo("x".repeat(200) + "…(1000 chars)");
    }
}
