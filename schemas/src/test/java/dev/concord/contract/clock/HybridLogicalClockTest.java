package dev.concord.contract.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class HybridLogicalClockTest {

    private final AtomicLong wall = new AtomicLong(1_000);
    private final HybridLogicalClock clock = new HybridLogicalClock(wall::get);

    @Test
    void shouldFollowWallClockWhenItAdvances() {
        assertThat(clock.now()).isEqualTo(new HlcTimestamp(1_000, 0));
        wall.set(1_005);
        assertThat(clock.now()).isEqualTo(new HlcTimestamp(1_005, 0));
    }

    @Test
    void shouldCountLogicallyWhenWallClockStandsStill() {
        clock.now();
        assertThat(clock.now()).isEqualTo(new HlcTimestamp(1_000, 1));
        assertThat(clock.now()).isEqualTo(new HlcTimestamp(1_000, 2));
    }

    @Test
    void shouldNeverGoBackWhenWallClockStepsBack() {
        wall.set(2_000);
        HlcTimestamp before = clock.now();
        wall.set(1_500);
        HlcTimestamp after = clock.now();
        assertThat(after).isGreaterThan(before);
        assertThat(after.physicalMillis()).isEqualTo(2_000);
    }

    @Test
    void shouldOrderAfterAnObservedRemoteClockAheadOfUs() {
        HlcTimestamp remote = new HlcTimestamp(5_000, 7);
        HlcTimestamp merged = clock.observe(remote);
        assertThat(merged).isEqualTo(new HlcTimestamp(5_000, 8));
        assertThat(clock.now()).isGreaterThan(remote);
    }

    @Test
    void shouldResumeAboveAPersistedHighWaterMark() {
        HybridLogicalClock restarted = new HybridLogicalClock(wall::get, new HlcTimestamp(9_000, 3));
        assertThat(restarted.now()).isEqualTo(new HlcTimestamp(9_000, 4));
    }

    @Property
    void readingsAreStrictlyIncreasingWhateverTheWallClockDoes(
            @ForAll @Size(min = 1, max = 200) java.util.List<@IntRange(min = -50, max = 50) Integer> wallSteps) {
        AtomicLong jittery = new AtomicLong(10_000);
        HybridLogicalClock subject = new HybridLogicalClock(jittery::get);
        HlcTimestamp previous = HlcTimestamp.ZERO;
        for (int step : wallSteps) {
            jittery.addAndGet(step);
            HlcTimestamp next = step % 3 == 0 ? subject.observe(new HlcTimestamp(jittery.get() + step, 0)) : subject.now();
            assertThat(next).isGreaterThan(previous);
            previous = next;
        }
    }
}
