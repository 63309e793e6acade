package dev.concord.processor.topology;

import dev.concord.contract.settings.Settings;
import dev.concord.contract.topics.StateRecordLimits;
import dev.concord.contract.topics.TopicNames;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The knobs of the sync rules, with their trade-offs.
 *
 * @param recentEventIds     how many event ids each entity remembers to drop redelivered copies
 *                           (16 bytes each in its state); a copy of an older event is caught only by
 *                           the merge rule itself (the same write again changes nothing, or loses as a
 *                           conflict to the newer state)
 * @param maxClockSkew       how far ahead of the processor's clock an event's clock may be; beyond
 *                           it the event is refused ({@code CLOCK_SKEW}) rather than trusted, since
 *                           one writer with a runaway clock would otherwise win every conflict
 * @param tombstoneRetention how long a deleted entity's versioned tombstone is kept before a Kafka
 *                           tombstone (null) lets compaction drop the key; it must exceed the
 *                           lateness of any write, or a very late older update could recreate the entity
 * @param expiryScanInterval how often expired tombstones are looked for (wall-clock time)
 * @param maxOutputBytes     the largest record the output topics accept ({@code max.message.bytes});
 *                           a bigger output dead-letters its input instead of failing the transaction
 * @param stateStore         where each task keeps its entities' states (see {@link StateStoreKind})
 * @param mirroredFrom       the other regions whose events MirrorMaker 2 copies here (docs/multi-region.md): each
 *                           type's events are then read from {@code concord.events.<type>} and from
 *                           {@code <region>.concord.events.<type>} for each of them, folded together; empty: one region
 * @param region             this region's name, required with {@code mirroredFrom}: an optimistic type applies only the
 *                           writes of its home region; null in a single-region deployment
 */
public record SyncSettings(int recentEventIds, Duration maxClockSkew, Duration tombstoneRetention,
                           Duration expiryScanInterval, int maxOutputBytes, StateStoreKind stateStore, List<String> mirroredFrom,
                           String region) {

    /** Enough for a retried request or a replayed outbox batch touching an entity a few times; 128 bytes per state. */
    public static final int DEFAULT_RECENT_EVENT_IDS = 8;

    public SyncSettings {
        if (recentEventIds < 1) {
            throw new IllegalArgumentException("recentEventIds must be at least 1, was " + recentEventIds);
        }
        mirroredFrom = List.copyOf(mirroredFrom);
        for (String other : mirroredFrom) {
            if (!TopicNames.isRegionName(other)) {
                throw new IllegalArgumentException("concord.sync.mirrored-from: '" + other + "' is not a region name (" + TopicNames.REGION_RULE + ")");
            }
        }
        if (region != null && !TopicNames.isRegionName(region)) {
            throw new IllegalArgumentException("concord.sync.region: '" + region + "' is not a region name (" + TopicNames.REGION_RULE + ")");
        }
        if (!mirroredFrom.isEmpty() && region == null) {
            throw new IllegalArgumentException("concord.sync.mirrored-from needs concord.sync.region (CONCORD_REGION): this region's name");
        }
        if (region != null && mirroredFrom.contains(region)) {
            throw new IllegalArgumentException("concord.sync.mirrored-from names this region itself ('" + region + "')");
        }
    }

    public SyncSettings(int recentEventIds, Duration maxClockSkew, Duration tombstoneRetention, Duration expiryScanInterval,
                        int maxOutputBytes, StateStoreKind stateStore) {
        this(recentEventIds, maxClockSkew, tombstoneRetention, expiryScanInterval, maxOutputBytes, stateStore, List.of(), null);
    }

    public static SyncSettings defaults() {
        return new SyncSettings(DEFAULT_RECENT_EVENT_IDS, Duration.ofMinutes(1), Duration.ofDays(7), Duration.ofMinutes(1),
                StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES, StateStoreKind.ROCKSDB);
    }

    /** What {@code concord.sync.*} sets, each unset one at its default ({@link #defaults()}). */
    public static SyncSettings from(Settings settings) {
        SyncSettings d = defaults();
        return new SyncSettings(
                settings.count("concord.sync.recent-event-ids", d.recentEventIds(), 1, StateRecordLimits.MAX_RECENT_EVENT_IDS),
                settings.duration("concord.sync.max-clock-skew", d.maxClockSkew()),
                settings.duration("concord.sync.tombstone-retention", d.tombstoneRetention()),
                settings.duration("concord.sync.expiry-scan-interval", d.expiryScanInterval()),
                settings.count("concord.sync.max-output-bytes", d.maxOutputBytes(), 1_024, Integer.MAX_VALUE),
                StateStoreKind.from(settings, "concord.sync.state-store", d.stateStore()),
                Arrays.stream(settings.text("concord.sync.mirrored-from", "").split(",")).map(String::trim)
                        .filter(region -> !region.isEmpty()).distinct().toList(),
                settings.optionalText("concord.sync.region").map(String::trim).filter(region -> !region.isEmpty()).orElse(null));
    }

    public SyncSettings withMaxClockSkew(Duration skew) {
        return new SyncSettings(recentEventIds, skew, tombstoneRetention, expiryScanInterval, maxOutputBytes, stateStore, mirroredFrom, region);
    }

    public SyncSettings withMaxOutputBytes(int bytes) {
        return new SyncSettings(recentEventIds, maxClockSkew, tombstoneRetention, expiryScanInterval, bytes, stateStore, mirroredFrom, region);
    }

    /** This region's name and the regions mirrored into it (docs/multi-region.md). */
    public SyncSettings withRegions(String thisRegion, List<String> mirrored) {
        return new SyncSettings(recentEventIds, maxClockSkew, tombstoneRetention, expiryScanInterval, maxOutputBytes, stateStore, mirrored, thisRegion);
    }

    public SyncSettings withStateStore(StateStoreKind kind) {
        return new SyncSettings(recentEventIds, maxClockSkew, tombstoneRetention, expiryScanInterval, maxOutputBytes, kind, mirroredFrom, region);
    }
}
