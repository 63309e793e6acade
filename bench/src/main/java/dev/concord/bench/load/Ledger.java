package dev.concord.bench.load;

import dev.concord.contract.avro.EntityEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Every event Kafka acknowledged, with where it landed: the oracle's record of the truth. */
public final class Ledger {

    /** One acknowledged event; {@code intendedAtMillis} is when the schedule meant to send it. */
    public record Accepted(EntityEvent event, int partition, long offset, long intendedAtMillis) {
    }

    private final ConcurrentLinkedQueue<Accepted> accepted = new ConcurrentLinkedQueue<>();

    public void record(Accepted entry) {
        accepted.add(entry);
    }

    public int size() {
        return accepted.size();
    }

    /** In the order the processor sees them: per partition by offset (an entity lives in one partition). */
    public List<Accepted> inLogOrder() {
        List<Accepted> ordered = new ArrayList<>(accepted);
        ordered.sort(Comparator.comparingInt(Accepted::partition).thenComparingLong(Accepted::offset));
        return ordered;
    }
}
