package dev.concord.contract.catalog;

/**
 * Which earlier schemas of a subject a new schema must stay compatible with, and in which
 * direction. BACKWARD: the new schema reads data written with earlier ones. FORWARD: earlier
 * schemas read data written with the new one. FULL: both. TRANSITIVE: against every earlier
 * schema of the subject, not just the latest.
 */
public enum CompatibilityMode {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    FORWARD(false, true, false),
    FULL(true, true, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD_TRANSITIVE(false, true, true),
    FULL_TRANSITIVE(true, true, true);

    final boolean newReadsOld;
    final boolean oldReadsNew;
    final boolean transitive;

    CompatibilityMode(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
        this.newReadsOld = newReadsOld;
        this.oldReadsNew = oldReadsNew;
        this.transitive = transitive;
    }
}
