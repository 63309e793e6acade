package dev.concord.producer.publish;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.concord.contract.settings.Settings;
import dev.concord.security.Client;
import jakarta.inject.Inject;
import io.micronaut.context.annotation.Context;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: {@code per-second} tokens refill continuously up to {@code burst}; every
 * event costs one token (a batch costs one per item), so a client cannot get around the limit by
 * batching. Over the limit → {@link RateLimitedException} (429, {@code Retry-After}). Per instance:
 * behind a load balancer with N instances a client gets up to N times the rate, which is the usual
 * trade for not coordinating on every request. {@code per-second <= 0} switches the limit off.
 */
// Eager: its settings are checked at start-up, not at the first request.
@Context
public class RateLimiter {

    private final double perSecond;
    private final long burst;
    private final LongSupplier nanoTime;
    // client id → its bucket; idle buckets expire (a full bucket is the same as no bucket).
    private final Cache<String, Bucket> buckets;

    @Inject
    public RateLimiter(Settings settings) {
        this(settings.positive("concord.security.rate-limit.per-second", 500),
                settings.number("concord.security.rate-limit.burst", 1_000, 1, Long.MAX_VALUE), System::nanoTime);
    }

    RateLimiter(double perSecond, long burst, LongSupplier nanoTime) {
        this.perSecond = perSecond;
        this.burst = Math.max(1, burst);
        this.nanoTime = nanoTime;
        this.buckets = Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();
    }

    /** Takes {@code tokens} from the client's bucket, or throws without taking any. */
    public void admit(Client client, int tokens) {
        if (perSecond <= 0) {
            return;
        }
        Bucket bucket = buckets.get(client.id(), id -> new Bucket(burst, nanoTime.getAsLong()));
        long waitNanos = bucket.take(tokens, perSecond, burst, nanoTime.getAsLong());
        if (waitNanos > 0) {
            long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            throw new RateLimitedException(client.id(), tokens, perSecond, burst, seconds);
        }
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(long tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        /** @return 0 if taken, else the nanoseconds until enough tokens will be there */
        synchronized long take(int requested, double perSecond, long burst, long now) {
            tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * perSecond);
            refilledAt = now;
            if (requested > burst) {
                // Never satisfiable: say when a full bucket will be there, the batch must be split anyway.
                return (long) ((burst - tokens) / perSecond * 1e9) + 1;
            }
            if (tokens >= requested) {
                tokens -= requested;
                return 0;
            }
            return (long) Math.ceil((requested - tokens) / perSecond * 1e9);
        }
    }
}
