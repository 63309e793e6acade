package dev.concord.contract.retry;

import java.time.Duration;

/**
 * The wait before retrying an operation that keeps failing (a store, a broker or a listening connection
 * away): {@code first}, doubled after every failure up to {@code last}, back to {@code first} after a success.
 * One per retrying loop; not thread-safe.
 */
public final class Backoff {

    private final Duration first;
    private final Duration last;
    private Duration next;

    public Backoff(Duration first, Duration last) {
        if (first.isNegative() || first.isZero() || last.compareTo(first) < 0) {
            throw new IllegalArgumentException("a back-off goes from a positive first wait up to a last one no shorter: "
                    + first + " … " + last);
        }
        this.first = first;
        this.last = last;
        this.next = first;
    }

    /** The wait before the next attempt after a failure; the one after it doubles, up to the last. */
    public Duration next() {
        Duration wait = next;
        next = next.multipliedBy(2).compareTo(last) > 0 ? last : next.multipliedBy(2);
        return wait;
    }

    /** Whether no failure happened since the last success: the first failure of an outage (worth a louder log). */
    public boolean firstFailure() {
        return next.equals(first);
    }

    /** After a success: the next failure waits {@code first} again. */
    public void reset() {
        next = first;
    }
}
