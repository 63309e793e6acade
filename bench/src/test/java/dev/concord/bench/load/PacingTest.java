package dev.concord.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PacingTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void shouldNotReturnBeforeTheIntendedTime() {
        long intended = System.nanoTime() + Duration.ofMillis(30).toNanos();

        Pacing.waitUntil(intended);

        assertThat(System.nanoTime()).isGreaterThanOrEqualTo(intended);
    }

    @Test
    void shouldStopWaitingForAnInterruptedThreadAndLeaveItsFlagSet() {
        // A pool shut down with shutdownNow() must not keep its workers waiting out the schedule.
        Thread.currentThread().interrupt();

        // On this thread (the flag is its own): were the flag ignored, the wait would last the whole minute and fail.
        assertTimeout(Duration.ofSeconds(30), () -> Pacing.waitUntil(System.nanoTime() + Duration.ofMinutes(1).toNanos()));

        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }
}
