package dev.concord.bench.load;

import java.util.concurrent.locks.LockSupport;

/** Sending on a fixed schedule: waits until an intended send time, in short parks so a late wake-up costs little. */
public final class Pacing {

    private Pacing() {
    }

    /**
     * Returns at {@code nanoTime} ({@link System#nanoTime()} scale), or at once if it has passed or the thread is
     * interrupted (the flag stays set: the caller's next blocking call ends its work, as a sleep here would have).
     */
    public static void waitUntil(long nanoTime) {
        for (long left = nanoTime - System.nanoTime(); left > 0 && !Thread.currentThread().isInterrupted();
             left = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(Math.min(left, 200_000));
        }
    }
}
