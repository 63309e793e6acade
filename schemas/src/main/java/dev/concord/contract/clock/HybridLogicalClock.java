package dev.concord.contract.clock;

import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): readings stay close to wall-clock time,
 * yet every reading is strictly greater than every earlier reading of this clock and than
 * every remote reading it has observed, even if the wall clock stalls or steps back.
 *
 * <p>Thread-safe. One instance per writer; its readings, paired with the writer id, give a
 * total order over all writes that every replica agrees on.
 */
public final class HybridLogicalClock {

    private final LongSupplier wallClockMillis;
    private HlcTimestamp last;

    public HybridLogicalClock(LongSupplier wallClockMillis) {
        this(wallClockMillis, HlcTimestamp.ZERO);
    }

    /**
     * @param highWaterMark a reading this clock must never go below, e.g. persisted before a restart
     */
    public HybridLogicalClock(LongSupplier wallClockMillis, HlcTimestamp highWaterMark) {
        this.wallClockMillis = wallClockMillis;
        this.last = highWaterMark;
    }

    public static HybridLogicalClock systemClock() {
        return new HybridLogicalClock(System::currentTimeMillis);
    }

    /** A reading for a local event (a write this writer is about to publish). */
    public synchronized HlcTimestamp now() {
        long wall = wallClockMillis.getAsLong();
        last = wall > last.physicalMillis()
                ? new HlcTimestamp(wall, 0)
                : new HlcTimestamp(last.physicalMillis(), last.logical() + 1);
        return last;
    }

    /** Merges a reading received from another writer, so later local readings order after it. */
    public synchronized HlcTimestamp observe(HlcTimestamp remote) {
        long wall = wallClockMillis.getAsLong();
        long physical = Math.max(wall, Math.max(last.physicalMillis(), remote.physicalMillis()));
        int logical;
        if (physical == last.physicalMillis() && physical == remote.physicalMillis()) {
            logical = Math.max(last.logical(), remote.logical()) + 1;
        } else if (physical == last.physicalMillis()) {
            logical = last.logical() + 1;
        } else if (physical == remote.physicalMillis()) {
            logical = remote.logical() + 1;
        } else {
            logical = 0;
        }
        last = new HlcTimestamp(physical, logical);
        return last;
    }

    /** The latest reading issued or observed, without advancing the clock. */
    public synchronized HlcTimestamp peek() {
        return last;
    }
}
