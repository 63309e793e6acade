package dev.concord.replica.apply;

/** Where a replica's bootstrap stands, for a readiness probe: one applier's tracker, or a replica of several appliers. */
public interface BootstrapProgress {

    CatchUpTracker.Progress progress();
}
