package dev.concord.contract.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class WriteOutcomesTest {

    private static final Instant NOW = Instant.parse("2026-11-30T08:00:00Z");
    private static final WriteOutcome.Winner SALES = new WriteOutcome.Winner(null, 2_000, 0, "sales");

    private final WriteOutcomes outcomes = new WriteOutcomes(Duration.ofMinutes(15), 3, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void shouldJoinTheTwoRecordsOfAPartialLossInEitherOrderAndWakeTheWaiterOnlyWhenBothAreIn() {
        CompletableFuture<Optional<WriteOutcome>> waiter = outcomes.await("e-1", Duration.ofMinutes(1));

        outcomes.record(applied("e-1", 7, List.of("name"), null));
        assertThat(waiter).as("the winner is still to come").isNotDone();
        outcomes.record(applied("e-1", 7, List.of("name"), SALES));

        WriteOutcome joined = waiter.join().orElseThrow();
        assertThat(joined.version()).isEqualTo(7);
        assertThat(joined.lostFields()).containsExactly("name");
        assertThat(joined.winner()).isEqualTo(SALES);

        outcomes.record(applied("e-2", 3, List.of("tier"), SALES));
        outcomes.record(applied("e-2", 3, List.of("tier"), null));
        assertThat(outcomes.find("e-2").orElseThrow().winner()).isEqualTo(SALES);
    }

    @Test
    void shouldKeepTheFirstDecisionWhenTheSameIdComesBackAsADuplicate() {
        outcomes.record(outcome("e-1", WriteOutcome.Status.DUPLICATE, 4, NOW));
        outcomes.record(applied("e-1", 2, List.of(), null));
        outcomes.record(outcome("e-1", WriteOutcome.Status.DUPLICATE, 5, NOW));

        assertThat(outcomes.find("e-1").orElseThrow().status()).isEqualTo(WriteOutcome.Status.APPLIED);
        assertThat(outcomes.find("e-1").orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void shouldForgetTheEldestBeyondItsSizeAndWhatIsOlderThanItsRetention() {
        outcomes.record(outcome("too-old", WriteOutcome.Status.APPLIED, 1, NOW.minus(Duration.ofMinutes(16))));
        outcomes.record(outcome("a", WriteOutcome.Status.APPLIED, 1, NOW));
        assertThat(outcomes.find("too-old")).isEmpty();

        outcomes.record(outcome("b", WriteOutcome.Status.SUPERSEDED, 1, NOW));
        outcomes.record(outcome("c", WriteOutcome.Status.REJECTED, 1, NOW));
        outcomes.record(outcome("d", WriteOutcome.Status.APPLIED, 2, NOW));

        assertThat(outcomes.size()).isEqualTo(3);
        assertThat(outcomes.find("a")).isEmpty();
        assertThat(outcomes.find("d")).isPresent();
    }

    @Test
    void shouldAnswerAWaiterWithWhatIsKnownWhenItsTimeIsUp() {
        outcomes.record(applied("e-1", 7, List.of("name"), null));

        assertThat(outcomes.await("e-1", Duration.ofMillis(50)).join()).hasValueSatisfying(o -> assertThat(o.complete()).isFalse());
        assertThat(outcomes.await("unknown", Duration.ofMillis(50)).join()).isEmpty();
        assertThat(outcomes.waiting()).isZero();
    }

    private static WriteOutcome applied(String eventId, long version, List<String> lost, WriteOutcome.Winner winner) {
        return new WriteOutcome(eventId, "customer", "c-1", WriteOutcome.Status.APPLIED, version, lost, winner,
                winner == null ? null : "field-merge", null, null, NOW);
    }

    private static WriteOutcome outcome(String eventId, WriteOutcome.Status status, long version, Instant at) {
        return new WriteOutcome(eventId, "customer", "c-1", status, version, List.of(), null, null, null, null, at);
    }
}
