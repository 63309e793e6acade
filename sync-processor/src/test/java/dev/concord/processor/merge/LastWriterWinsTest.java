package dev.concord.processor.merge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LastWriterWinsTest {

    private static final long NOW = 1_000_000L;
    private final LastWriterWins rule = new LastWriterWins(dev.concord.domain.Customer.getClassSchema());

    @Test
    void shouldCreateVersionOneFromTheFirstEvent() {
        EntityEvent first = upsert(100, 0, "a", "v1");

        EntityState state = accepted(rule.decide(null, first, NOW));

        assertThat(state.getVersion()).isEqualTo(1);
        assertThat(state.getWriter()).isEqualTo("a");
        assertThat(state.getDeleted()).isFalse();
        assertThat(state.getLastEventId()).isEqualTo(first.getEventId());
    }

    @Test
    void shouldReplaceWithANewerClockAndCountTheVersionUp() {
        EntityState v1 = accepted(rule.decide(null, upsert(100, 0, "a", "v1"), NOW));

        EntityState v2 = accepted(rule.decide(v1, upsert(101, 0, "b", "v2"), NOW));

        assertThat(v2.getVersion()).isEqualTo(2);
        assertThat(v2.getPayload().array()).isEqualTo("v2".getBytes());
    }

    @Test
    void shouldDiscardAnOlderClockWhateverItsArrivalOrder() {
        EntityState newer = accepted(rule.decide(null, upsert(200, 0, "a", "new"), NOW));

        MergeDecision decision = rule.decide(newer, upsert(199, 5, "z", "old"), NOW);

        assertThat(decision).isInstanceOf(MergeDecision.Discarded.class);
        assertThat(((MergeDecision.Discarded) decision).current()).isEqualTo(newer);
    }

    @Test
    void shouldOrderByLogicalCounterWithinOneMillisecond() {
        EntityState state = accepted(rule.decide(null, upsert(200, 3, "a", "x"), NOW));
        assertThat(rule.decide(state, upsert(200, 2, "b", "y"), NOW)).isInstanceOf(MergeDecision.Discarded.class);
        assertThat(rule.decide(state, upsert(200, 4, "b", "y"), NOW)).isInstanceOf(MergeDecision.Accepted.class);
    }

    @Test
    void shouldBreakEqualClocksByWriterId() {
        EntityState byA = accepted(rule.decide(null, upsert(300, 0, "writer-a", "a"), NOW));
        EntityState byB = accepted(rule.decide(null, upsert(300, 0, "writer-b", "b"), NOW));

        assertThat(rule.decide(byA, upsert(300, 0, "writer-b", "b"), NOW)).isInstanceOf(MergeDecision.Accepted.class);
        assertThat(rule.decide(byB, upsert(300, 0, "writer-a", "a"), NOW)).isInstanceOf(MergeDecision.Discarded.class);
    }

    @Test
    void shouldKeepATombstoneThatAnOlderUpdateCannotResurrect() {
        EntityState live = accepted(rule.decide(null, upsert(100, 0, "a", "v1"), NOW));
        EntityState deleted = accepted(rule.decide(live, delete(150, "b"), NOW));

        assertThat(deleted.getDeleted()).isTrue();
        assertThat(deleted.getPayload()).isNull();
        assertThat(deleted.getVersion()).isEqualTo(2);
        assertThat(rule.decide(deleted, upsert(120, 0, "c", "late"), NOW)).isInstanceOf(MergeDecision.Discarded.class);
    }

    @Test
    void shouldLetAWriteNewerThanTheDeleteBringTheEntityBack() {
        EntityState deleted = accepted(rule.decide(null, delete(150, "b"), NOW));

        EntityState revived = accepted(rule.decide(deleted, upsert(160, 0, "a", "again"), NOW));

        assertThat(revived.getDeleted()).isFalse();
        assertThat(revived.getVersion()).isEqualTo(2);
    }

    @Test
    void shouldTreatTheSameEventAgainAsADuplicate() {
        EntityEvent event = upsert(100, 0, "a", "v1");
        EntityState state = accepted(rule.decide(null, event, NOW));

        assertThat(rule.decide(state, event, NOW)).isInstanceOf(MergeDecision.Duplicate.class);
    }

    static EntityEvent upsert(long millis, int logical, String writer, String payload) {
        return EntityEvents.upsert(UUID.randomUUID(), "customer", "c-1", payload.getBytes(),
                new HlcTimestamp(millis, logical), writer, EntityEvents.source("test"));
    }

    static EntityEvent delete(long millis, String writer) {
        return EntityEvents.delete(UUID.randomUUID(), "customer", "c-1", new HlcTimestamp(millis, 0), writer,
                EntityEvents.source("test"));
    }

    private static EntityState accepted(MergeDecision decision) {
        assertThat(decision).isInstanceOf(MergeDecision.Accepted.class);
        return ((MergeDecision.Accepted) decision).state();
    }
}
