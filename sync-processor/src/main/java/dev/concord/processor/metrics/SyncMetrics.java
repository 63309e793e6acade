package dev.concord.processor.metrics;

import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.RejectionReason;

/**
 * What the processor counts; the runtime backs it with Micrometer, tests with plain counters. Every
 * method does nothing by default, so a test counts only what it checks.
 */
public interface SyncMetrics {

    SyncMetrics NONE = new SyncMetrics() {
    };

    default void applied(String entityType) {
    }

    default void conflict(String entityType, String rule, ConflictScope scope) {
    }

    default void rejected(String entityType, RejectionReason reason) {
    }

    default void duplicateDropped(String entityType) {
    }

    default void tombstoneExpired(String entityType) {
    }

    /** How many expiry-index entries one expiry run read: what it cost, which should track what expired. */
    default void tombstonesExamined(String entityType, int examined) {
    }

    default void deadLettered(String stage) {
    }

    /** States published again on a replay request (docs/contract.md, "Replay requests"). */
    default void replayed(String entityType, int entities) {
    }

    /** A replay request that replayed nothing: {@code no-such-entity} or {@code unknown-scope}. */
    default void replayIgnored(String entityType, String reason) {
    }

    /** An entity of a type that parks was parked behind a poisoned event (or parked again behind a new one). */
    default void parked(String entityType) {
    }

    /** Parked entities held by this instance's tasks: +1 when one parks or a task holding one starts, -1 when released. */
    default void parkedKeys(String entityType, long delta) {
    }

    /** Events waiting behind parked entities on this instance's tasks. */
    default void heldEvents(String entityType, long delta) {
    }

    /**
     * An event mirrored from another region (docs/multi-region.md) was folded: {@code sourceMillis} is its append time
     * in its own region (kept by MirrorMaker 2), {@code nowMillis} the processor's time. The cross-region lag, per direction.
     */
    default void mirroredEventFolded(String fromRegion, long sourceMillis, long nowMillis) {
    }

    /** A parked entity released or skipped by an operator ({@code release}, {@code skip}). */
    default void unparked(String entityType, String action) {
    }

    /** A parking command that changed nothing: {@code not-parked}, {@code unknown-action} or {@code still-poisoned}. */
    default void parkingIgnored(String entityType, String reason) {
    }
}
