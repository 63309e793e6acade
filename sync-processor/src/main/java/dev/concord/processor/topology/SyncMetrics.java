package dev.concord.processor.topology;

import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.RejectionReason;

/** What the processor counts; the runtime backs it with Micrometer, tests with plain counters. */
public interface SyncMetrics {

    void applied(String entityType);

    void conflict(String entityType, String rule, ConflictScope scope);

    void rejected(String entityType, RejectionReason reason);

    void duplicateDropped(String entityType);

    void tombstoneExpired(String entityType);

    /** How many expiry-index entries one expiry run read: what it cost, which should track what expired. */
    void tombstonesExamined(String entityType, int examined);

    void deadLettered(String stage);

    SyncMetrics NONE = new SyncMetrics() {
        @Override
        public void applied(String entityType) {
        }

        @Override
        public void conflict(String entityType, String rule, ConflictScope scope) {
        }

        @Override
        public void rejected(String entityType, RejectionReason reason) {
        }

        @Override
        public void duplicateDropped(String entityType) {
        }

        @Override
        public void tombstoneExpired(String entityType) {
        }

        @Override
        public void tombstonesExamined(String entityType, int examined) {
        }

        @Override
        public void deadLettered(String stage) {
        }
    };
}
