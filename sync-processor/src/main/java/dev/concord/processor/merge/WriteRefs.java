package dev.concord.processor.merge;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.WriteRef;

/** Names writes for the conflict ledger. */
final class WriteRefs {

    private WriteRefs() {
    }

    static WriteRef of(EntityEvent event) {
        return new WriteRef(event.getEventId(), event.getClock(), event.getWriter(), event.getOp());
    }

    static WriteRef of(EntityState state) {
        return new WriteRef(state.getLastEventId(), state.getClock(), state.getWriter(), null);
    }

    /** A write known only by its order, e.g. the holder of a field register. */
    static WriteRef of(WriteOrder order) {
        return new WriteRef(null, order.clock().toAvro(), order.writer(), null);
    }
}
