package dev.concord.producer.clock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.clock.HlcTimestamp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persisted high-water mark: written ahead in leaps, never a smaller reading after a restart. */
class WriterClockTest {

    @TempDir
    Path dir;

    private final AtomicLong wall = new AtomicLong(1_000_000);

    @Test
    void shouldWriteTheMarkAheadInLeapsNotPerReading() throws Exception {
        Path file = dir.resolve("hlc.hwm");
        WriterClock clock = WriterClock.persistent(file, Duration.ofSeconds(10), wall::get);

        clock.now();
        long firstMark = clock.reservedUntil();
        long modified = Files.getLastModifiedTime(file).toMillis();
        for (int i = 0; i < 1000; i++) {
            wall.addAndGet(5); // 5 s of readings in all: within the reserved leap
            clock.now();
        }

        assertThat(firstMark).isEqualTo(1_000_000 + 10_000);
        assertThat(clock.reservedUntil()).isEqualTo(firstMark);
        assertThat(Files.readString(file).trim()).isEqualTo(Long.toString(firstMark));
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(modified);

        wall.addAndGet(6_000); // past the mark: the next reading reserves a new leap first
        HlcTimestamp beyond = clock.now();
        assertThat(clock.reservedUntil()).isEqualTo(beyond.physicalMillis() + 10_000);
    }

    @Test
    void shouldNeverIssueASmallerClockAfterARestartEvenIfTheWallClockWentBack() {
        Path file = dir.resolve("hlc.hwm");
        WriterClock before = WriterClock.persistent(file, Duration.ofSeconds(10), wall::get);
        HlcTimestamp last = null;
        for (int i = 0; i < 100; i++) {
            last = before.now();
        }

        wall.addAndGet(-60_000); // restarted on a machine whose clock is a minute behind
        WriterClock after = WriterClock.persistent(file, Duration.ofSeconds(10), wall::get);

        assertThat(after.now()).isGreaterThan(last);
        assertThat(after.observe(new HlcTimestamp(1, 0))).isGreaterThan(last);
    }
}
