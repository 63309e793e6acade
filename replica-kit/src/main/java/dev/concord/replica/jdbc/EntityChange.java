package dev.concord.replica.jdbc;

import dev.concord.contract.clock.HlcTimestamp;
import java.time.Instant;

/**
 * One entity's new state, as a {@link Projection} receives it.
 *
 * @param version   the processor's version of the entity: +1 per accepted change, never lower than one applied before
 * @param clock     the winning write's hybrid clock, and {@code writer} its writer
 * @param updatedAt when the processor decided it (freshness; not part of any decision)
 * @param value     the entity, decoded with the declared schema and then as the projection asked
 */
public record EntityChange<T>(String type, String id, long version, HlcTimestamp clock, String writer, Instant updatedAt, T value) {
}
