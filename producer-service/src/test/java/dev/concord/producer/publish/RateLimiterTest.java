package dev.concord.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import dev.concord.security.Client;
import dev.concord.security.Grants;
import org.junit.jupiter.api.Test;

/** The token bucket, on a hand-driven clock. */
class RateLimiterTest {

    private final AtomicLong nanos = new AtomicLong();
    private final RateLimiter limiter = new RateLimiter(2, 4, nanos::get);
    private final Client alice = new Client("alice", Grants.parse(List.of("*:*")));
    private final Client bob = new Client("bob", Grants.parse(List.of("*:*")));

    @Test
    void shouldAllowABurstThenRefuseWithTheSecondsUntilTokensAreBack() {
        limiter.admit(alice, 3);
        limiter.admit(alice, 1);

        RateLimitedException refused = catchThrowableOfType(RateLimitedException.class, () -> limiter.admit(alice, 2));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers()).containsEntry("Retry-After", "1");
        assertThat(refused.problem().type()).endsWith("rate-limited");

        // Other clients have their own bucket.
        assertThatCode(() -> limiter.admit(bob, 4)).doesNotThrowAnyException();
    }

    @Test
    void shouldRefillAtTheConfiguredRate() {
        limiter.admit(alice, 4);
        nanos.addAndGet(1_000_000_000L); // one second: two tokens

        assertThatCode(() -> limiter.admit(alice, 2)).doesNotThrowAnyException();
        assertThat(catchThrowableOfType(RateLimitedException.class, () -> limiter.admit(alice, 1))).isNotNull();
    }
}
