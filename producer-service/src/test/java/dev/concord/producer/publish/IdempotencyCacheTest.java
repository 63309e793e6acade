package dev.concord.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.producer.write.EventIds;
import dev.concord.producer.write.RequestRefused;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-instance level of idempotency: one publish per key, the first answer replayed, failures forgotten. */
class IdempotencyCacheTest {

    private static final PublishAccepted RECEIPT = new PublishAccepted("e", "customer", "c-1", "t", 0, 7,
            new PublishAccepted.Clock(1, 0), "w", "ct1.token");

    private final IdempotencyCache cache = new IdempotencyCache(100, Duration.ofMinutes(5));
    private final AtomicInteger published = new AtomicInteger();
    private final UUID id = EventIds.fromIdempotencyKey("client", "key-1");

    @Test
    void shouldPublishOnceAndReplayTheFirstAnswerForRetries() {
        PublishOutcome first = cache.publishOnce(id, "key-1", new byte[]{1}, this::publish).join();
        PublishOutcome second = cache.publishOnce(id, "key-1", new byte[]{1}, this::publish).join();
        PublishOutcome third = cache.publishOnce(id, "key-1", new byte[]{1}, this::publish).join();

        assertThat(published).hasValue(1);
        assertThat(first.replayed()).isFalse();
        assertThat(second.replayed()).isTrue();
        assertThat(third.accepted()).isEqualTo(first.accepted());
    }

    @Test
    void shouldRefuseTheSameKeyForADifferentRequest() {
        cache.publishOnce(id, "key-1", new byte[]{1}, this::publish).join();

        assertThatThrownBy(() -> cache.publishOnce(id, "key-1", new byte[]{2}, this::publish))
                .isInstanceOfSatisfying(RequestRefused.class, e -> assertThat(e.problem().type()).endsWith("idempotency-key-reused"));
        assertThat(published).hasValue(1);
    }

    @Test
    void shouldForgetAFailedAttemptSoTheRetryPublishesAgain() {
        CompletableFuture<PublishOutcome> failed = cache.publishOnce(id, "key-1", new byte[]{1},
                () -> CompletableFuture.failedFuture(new IllegalStateException("kafka down")));
        assertThat(failed).isCompletedExceptionally();

        PublishOutcome retried = cache.publishOnce(id, "key-1", new byte[]{1}, this::publish).join();

        assertThat(retried.replayed()).isFalse();
        assertThat(published).hasValue(1);
    }

    @Test
    void shouldDeriveTheSameEventIdPerClientAndKeyOnly() {
        assertThat(EventIds.fromIdempotencyKey("a", "k")).isEqualTo(EventIds.fromIdempotencyKey("a", "k"))
                .isNotEqualTo(EventIds.fromIdempotencyKey("b", "k")).isNotEqualTo(EventIds.fromIdempotencyKey("a", "k2"));
        assertThat(EventIds.validKey("9f41c0de-retry")).isTrue();
        assertThat(EventIds.validKey("has space")).isFalse();
        assertThat(EventIds.validKey("x".repeat(256))).isFalse();
    }

    private CompletableFuture<PublishAccepted> publish() {
        published.incrementAndGet();
        return CompletableFuture.completedFuture(RECEIPT);
    }
}
