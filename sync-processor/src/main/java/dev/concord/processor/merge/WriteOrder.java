package dev.concord.processor.merge;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.FieldStamp;
import dev.concord.contract.clock.HlcTimestamp;
import java.util.Comparator;

/**
 * The total order over writes that every replica agrees on: by hybrid logical clock, then by writer
 * id. The writer id only matters for equal clocks, which distinct writers can produce; comparing
 * ids makes the outcome independent of arrival order.
 */
public record WriteOrder(HlcTimestamp clock, String writer) implements Comparable<WriteOrder> {

    private static final Comparator<WriteOrder> ORDER =
            Comparator.comparing(WriteOrder::clock).thenComparing(WriteOrder::writer);

    public static WriteOrder of(EntityEvent event) {
        return new WriteOrder(HlcTimestamp.of(event.getClock()), event.getWriter());
    }

    /** The write that last set one field (field-merge). */
    public static WriteOrder of(FieldStamp stamp) {
        return new WriteOrder(HlcTimestamp.of(stamp.getClock()), stamp.getWriter());
    }

    public static WriteOrder of(EntityState state) {
        return new WriteOrder(HlcTimestamp.of(state.getClock()), state.getWriter());
    }

    @Override
    public int compareTo(WriteOrder other) {
        return ORDER.compare(this, other);
    }

    public boolean supersedes(WriteOrder other) {
        return compareTo(other) > 0;
    }
}
