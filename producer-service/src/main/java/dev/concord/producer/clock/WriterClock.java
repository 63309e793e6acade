package dev.concord.producer.clock;

import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.clock.HybridLogicalClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This producer instance's hybrid logical clock, with a persisted high-water mark so that a restart
 * never issues a smaller clock than any issued before — even if the machine's wall clock stepped back
 * meanwhile, or the restart came within the same millisecond.
 *
 * <p>Persisting every reading would cost a synced file write per event. Instead the clock reserves
 * time in leaps: before it issues a reading whose physical part reaches the persisted mark, it writes
 * (and syncs) a new mark {@code physical + leap}. Every issued reading is therefore strictly below the
 * persisted mark, and a restarted clock starts at the mark. Cost: one write per {@code leap} of
 * physical time (default 10 s); price: after a crash the clock may run up to {@code leap} ahead of
 * wall time until wall time catches up, well inside sync-processor's skew bound (1 min). The file is
 * replaced atomically (write, fsync, rename), so a crash mid-write leaves the old mark.
 */
public final class WriterClock {

    private static final Logger LOG = LoggerFactory.getLogger(WriterClock.class);

    private final HybridLogicalClock clock;
    private final Path markFile;
    private final long leapMillis;
    private final LongSupplier wallClockMillis;
    // The persisted mark: every reading issued so far has physicalMillis < reservedUntil.
    private long reservedUntil;

    private WriterClock(HybridLogicalClock clock, Path markFile, long leapMillis, long reservedUntil, LongSupplier wallClockMillis) {
        this.clock = clock;
        this.markFile = markFile;
        this.leapMillis = leapMillis;
        this.reservedUntil = reservedUntil;
        this.wallClockMillis = wallClockMillis;
    }

    /** A clock whose high-water mark lives in {@code markFile} (created with its directory if absent). */
    public static WriterClock persistent(Path markFile, Duration leap, LongSupplier wallClockMillis) {
        long mark = readMark(markFile);
        if (mark > 0) {
            LOG.info("Clock resumes above its high-water mark {} from {}", mark, markFile);
        }
        return new WriterClock(new HybridLogicalClock(wallClockMillis, new HlcTimestamp(mark, 0)), markFile,
                leap.toMillis(), mark, wallClockMillis);
    }

    public static WriterClock persistent(Path markFile, Duration leap) {
        return persistent(markFile, leap, System::currentTimeMillis);
    }

    /** A reading for a write this instance is about to publish. */
    public synchronized HlcTimestamp now() {
        return reserved(clock.now());
    }

    /** Merges a reading supplied by a trusted writer or a source log, so later readings order after it. */
    public synchronized HlcTimestamp observe(HlcTimestamp remote) {
        return reserved(clock.observe(remote));
    }

    /** This instance's wall clock, for skew checks on supplied clocks. */
    public long wallClockMillis() {
        return wallClockMillis.getAsLong();
    }

    /** The persisted high-water mark (for tests and diagnostics). */
    public synchronized long reservedUntil() {
        return reservedUntil;
    }

    private HlcTimestamp reserved(HlcTimestamp reading) {
        if (reading.physicalMillis() >= reservedUntil) {
            long mark = reading.physicalMillis() + leapMillis;
            writeMark(markFile, mark);
            reservedUntil = mark;
        }
        return reading;
    }

    private static long readMark(Path file) {
        try {
            if (!Files.exists(file)) {
                return 0;
            }
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? 0 : Long.parseLong(text);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the clock's high-water mark from " + file
                    + "; refusing to start a clock that might go back", e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("The clock's high-water mark file " + file + " is corrupt: " + e.getMessage()
                    + "; refusing to start a clock that might go back (remove it only if this writer id's clock may restart from wall time)", e);
        }
    }

    private static void writeMark(Path file, long mark) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = dir.resolve(file.getFileName() + ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap((mark + "\n").getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // No reading may be issued beyond a mark that is not durable: the request fails instead.
            throw new UncheckedIOException("Cannot persist the clock's high-water mark to " + file, e);
        }
    }
}
