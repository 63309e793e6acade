package dev.concord.contract.clock;

import dev.concord.contract.avro.HybridClock;

/**
 * One reading of a hybrid logical clock. Totally ordered: first by physical milliseconds,
 * then by the logical counter. Ties between writers are broken elsewhere, by writer id.
 */
public record HlcTimestamp(long physicalMillis, int logical) implements Comparable<HlcTimestamp> {

    public static final HlcTimestamp ZERO = new HlcTimestamp(0, 0);

    public HlcTimestamp {
        if (physicalMillis < 0 || logical < 0) {
            throw new IllegalArgumentException("clock components must be non-negative: " + physicalMillis + "." + logical);
        }
    }

    public static HlcTimestamp of(HybridClock avro) {
        return new HlcTimestamp(avro.getPhysicalMillis(), avro.getLogical());
    }

    public HybridClock toAvro() {
        return new HybridClock(physicalMillis, logical);
    }

    @Override
    public int compareTo(HlcTimestamp other) {
        int byPhysical = Long.compare(physicalMillis, other.physicalMillis);
        return byPhysical != 0 ? byPhysical : Integer.compare(logical, other.logical);
    }

    public boolean isAfter(HlcTimestamp other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return physicalMillis + "." + logical;
    }
}
