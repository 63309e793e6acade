package dev.concord.producer.publish;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.concord.producer.write.EventIds;
import dev.concord.producer.write.RequestRefused;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The first level of idempotency: per instance, event id → the first request's answer, so a retry of an
 * accepted request is answered from memory and sends nothing. The second level is sync-processor's
 * memory of each entity's recent event ids: the event id is deterministic ({@link EventIds#fromIdempotencyKey}), so a retry that
 * reaches another instance, or arrives after this cache evicted the entry, publishes an event that the
 * processor drops as a duplicate.
 *
 * <p>Bounded (entries) and expiring (time since the first request). Entries hold the receipt, not the
 * event, so they stay small. A concurrent retry joins the first request's future; a failed attempt
 * (e.g. Kafka unavailable) is forgotten, so its retry publishes again, under the same event id.
 */
public final class IdempotencyCache {

    private final Cache<UUID, Attempt> attempts;

    public IdempotencyCache(long maxEntries, Duration ttl) {
        this.attempts = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).build();
    }

    private record Attempt(byte[] fingerprint, CompletableFuture<PublishAccepted> answer) {
    }

    /**
     * Answers with the stored outcome of the same request, or runs {@code publish} once.
     *
     * @param fingerprint digest of the request's content: a different request under the same key is refused
     * @throws RequestRefused idempotency-key-reused if the key was used for a different request
     */
    public CompletableFuture<PublishOutcome> publishOnce(UUID eventId, String key, byte[] fingerprint,
                                                         Supplier<CompletableFuture<PublishAccepted>> publish) {
        while (true) {
            CompletableFuture<PublishAccepted> answer = new CompletableFuture<>();
            Attempt mine = new Attempt(fingerprint, answer);
            Attempt earlier = attempts.asMap().putIfAbsent(eventId, mine);
            if (earlier == null) {
                run(eventId, mine, publish);
                return answer.thenApply(accepted -> new PublishOutcome(accepted, false));
            }
            if (!Arrays.equals(earlier.fingerprint(), fingerprint)) {
                throw RequestRefused.idempotencyKeyReused(key);
            }
            if (!earlier.answer().isCompletedExceptionally()) {
                return earlier.answer().thenApply(accepted -> new PublishOutcome(accepted, true));
            }
            // The earlier attempt failed and is about to be forgotten; take its place.
            if (attempts.asMap().replace(eventId, earlier, mine)) {
                run(eventId, mine, publish);
                return answer.thenApply(accepted -> new PublishOutcome(accepted, false));
            }
        }
    }

    private void run(UUID eventId, Attempt attempt, Supplier<CompletableFuture<PublishAccepted>> publish) {
        CompletableFuture<PublishAccepted> published;
        try {
            published = publish.get();
        } catch (RuntimeException e) {
            published = CompletableFuture.failedFuture(e);
        }
        published.whenComplete((accepted, error) -> {
            if (error != null) {
                attempts.asMap().remove(eventId, attempt);
                attempt.answer().completeExceptionally(error);
            } else {
                attempt.answer().complete(accepted);
            }
        });
    }

    /** Entries currently held (approximate; for tests and metrics). */
    public long size() {
        attempts.cleanUp();
        return attempts.estimatedSize();
    }
}
