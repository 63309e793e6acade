package dev.concord.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.producer.write.RequestRefused;
import org.junit.jupiter.api.Test;

class RequestHeadersTest {

    @Test
    void shouldReadIfMatchAsAnExactVersion() {
        assertThat(RequestHeaders.expectedVersion(null)).isNull();
        assertThat(RequestHeaders.expectedVersion("\"0\"")).isZero();
        assertThat(RequestHeaders.expectedVersion(" \"42\" ")).isEqualTo(42L);
        for (String bad : new String[]{"3", "W/\"3\"", "*", "\"-1\"", "\"3\", \"4\""}) {
            RequestRefused e = catchThrowableOfType(RequestRefused.class, () -> RequestHeaders.expectedVersion(bad));
            assertThat(e.status()).as(bad).isEqualTo(400);
            assertThat(e.problem().errors().get(0).field()).isEqualTo("If-Match");
        }
    }

    @Test
    void shouldReadServerOwnedClockAndWriter() {
        assertThat(RequestHeaders.clock("1795837256416.3", "X-Concord-Clock")).isEqualTo(new HlcTimestamp(1795837256416L, 3));
        assertThat(catchThrowableOfType(RequestRefused.class, () -> RequestHeaders.clock("yesterday", "X-Concord-Clock")).status())
                .isEqualTo(400);
        assertThat(catchThrowableOfType(RequestRefused.class, () -> RequestHeaders.writer("two words", "X-Concord-Writer"))
                .problem().errors().get(0).field()).isEqualTo("X-Concord-Writer");
    }
}
