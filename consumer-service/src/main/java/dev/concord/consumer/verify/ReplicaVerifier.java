package dev.concord.consumer.verify;

import dev.concord.consumer.feed.ChangeNotifier;
import dev.concord.consumer.store.EntityReader;
import dev.concord.consumer.store.ReplicaStore;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.topics.TopicNames;
import dev.concord.replica.ReplicatedTypes;
import dev.concord.replica.apply.StateRecordDecoder;
import dev.concord.replica.store.AppliedBatch;
import dev.concord.replica.store.StateChange;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Checks this replica's rows of a type against the authoritative state (the type's state topic, the processor's
 * output) and repairs only what differs, without a rebuild (issue 15; the runbook: docs/operations.md, "Verify and
 * repair a replica").
 *
 * <p>Both sides are reduced to a {@link Fingerprint} per entity (version, deleted, a hash of the data) and summed into
 * digests per key range (64 ranges by the id's murmur2 hash, as Kafka partitions keys), which name the ranges that
 * differ; within them every entity is classified: {@code MISSING} (the authority holds it, the replica does not),
 * {@code EXTRA} (the replica holds a row the authority does not), {@code STALE} (an older version), {@code CHANGED}
 * (the same version holding other data or another deleted flag) and {@code AHEAD} (a newer version than the snapshot:
 * the replica applied a later state after the snapshot was taken; reported, never repaired). Before comparing, it
 * waits (up to {@link #CATCH_UP}) until the replica has consumed up to the snapshot's last records, so lag is not
 * reported as damage. A repair writes the authoritative state of the differing entities through the change feed,
 * guarded so that nothing newer than what was seen is overwritten.
 */
@Singleton
public class ReplicaVerifier {

    static final int KEY_RANGES = 64;
    static final int MAX_LISTED = 10_000;
    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    public enum Kind { MISSING, EXTRA, STALE, CHANGED, AHEAD }

    /** One entity that differs; a version is null where that side holds nothing. */
    public record Difference(String id, Kind kind, Long replicaVersion, Long authoritativeVersion) {
    }

    /** An entity a repair could not write: the store refused its authoritative state's data. */
    public record NotRepaired(String id, Long authoritativeVersion, String reason) {
    }

    /**
     * @param differences at most {@value #MAX_LISTED}, in id order; {@code differencesFound} counts them all
     * @param repaired    entities a repair changed (0 for a verification)
     * @param notRepaired entities a repair could not write, at most {@value #MAX_LISTED} (empty for a verification)
     */
    public record Report(String type, long authoritativeEntities, long replicaRows, int keyRanges, List<Integer> differingKeyRanges,
                         boolean replicaCaughtUp, long unreadableRecords, long differencesFound, List<Difference> differences,
                         int repaired, List<NotRepaired> notRepaired) {
    }

    private final ConcordContract contract;
    private final ReplicatedTypes types;
    private final ReplicaStore store;
    private final EntityReader reader;
    private final ChangeNotifier notifier;
    private final StateRecordDecoder decoder;
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> differencesGauges = new ConcurrentHashMap<>();

    ReplicaVerifier(ConcordContract contract, ReplicatedTypes types, ReplicaStore store, EntityReader reader, ChangeNotifier notifier,
                    MeterRegistry registry) {
        this.contract = contract;
        this.types = types;
        this.store = store;
        this.reader = reader;
        this.notifier = notifier;
        this.registry = registry;
        this.decoder = new StateRecordDecoder(types, contract.topics().stateSerde().deserializer(), contract.payloads());
    }

    /** @throws IllegalArgumentException for a type this replica does not apply */
    public Report verify(String type) {
        return compare(type).report(0, List.of());
    }

    /** Verifies, then writes the authoritative state of every entity found different (but {@code AHEAD}). */
    public synchronized Report repair(String type) {
        Comparison found = compare(type);
        Map<String, Difference> toRepair = found.differences.stream().filter(difference -> difference.kind() != Kind.AHEAD)
                .collect(Collectors.toMap(Difference::id, difference -> difference, (a, b) -> a, LinkedHashMap::new));
        if (toRepair.isEmpty()) {
            return found.report(0, List.of());
        }
        // A second read keeps the decoded states of just these entities (the first kept only fingerprints).
        StateTopicSnapshot.Snapshot authority = snapshot(type, toRepair::containsKey);
        List<StateChange.Upsert> restore = new ArrayList<>();
        Map<StateChange.Removal, Long> remove = new LinkedHashMap<>();
        toRepair.values().forEach(difference -> {
            if (authority.changes().get(difference.id()) instanceof StateChange.Upsert upsert) {
                restore.add(upsert);
            } else if (difference.replicaVersion() != null) {
                remove.put(new StateChange.Removal(type, difference.id()), difference.replicaVersion());
            }
        });
        AppliedBatch repaired = store.repair(restore, remove);
        if (!repaired.applied().isEmpty()) {
            notifier.committed(repaired.feedHead());
        }
        List<NotRepaired> notRepaired = repaired.deadLetters().stream().limit(MAX_LISTED)
                .map(refused -> new NotRepaired(refused.entityId(), refused.version(), refused.reason())).toList();
        return found.report(repaired.applied().size(), notRepaired);
    }

    private StateTopicSnapshot.Snapshot snapshot(String type, java.util.function.Predicate<String> keep) {
        if (types.find(type).isEmpty()) {
            throw new IllegalArgumentException("this replica does not apply type '" + type + "'");
        }
        return StateTopicSnapshot.read(contract.kafkaClientConfig(), TopicNames.state(type), decoder, keep);
    }

    private Comparison compare(String type) {
        StateTopicSnapshot.Snapshot authority = snapshot(type, id -> false);
        boolean caughtUp = awaitConsumed(authority.afterLastRecord());
        long[] authorityDigests = new long[KEY_RANGES];
        long[] replicaDigests = new long[KEY_RANGES];
        Map<String, Fingerprint> unseen = new HashMap<>(authority.fingerprints());
        List<Difference> differences = new ArrayList<>();
        long[] rows = {0};
        authority.fingerprints().forEach((id, fingerprint) -> {
            if (!fingerprint.removed()) {
                authorityDigests[range(id)] += entryHash(id, fingerprint);
            }
        });
        reader.scan(type, row -> {
            rows[0]++;
            Fingerprint held = Fingerprint.ofRow(row.version(), row.deleted(), row.dataJson());
            replicaDigests[range(row.id())] += entryHash(row.id(), held);
            Fingerprint truth = unseen.remove(row.id());
            if (truth == null || truth.removed()) {
                differences.add(new Difference(row.id(), Kind.EXTRA, row.version(), null));
            } else if (held.version() < truth.version()) {
                differences.add(new Difference(row.id(), Kind.STALE, row.version(), truth.version()));
            } else if (held.version() > truth.version()) {
                differences.add(new Difference(row.id(), Kind.AHEAD, row.version(), truth.version()));
            } else if (!held.equals(truth)) {
                differences.add(new Difference(row.id(), Kind.CHANGED, row.version(), truth.version()));
            }
        });
        unseen.forEach((id, truth) -> {
            if (!truth.removed()) {
                differences.add(new Difference(id, Kind.MISSING, null, truth.version()));
            }
        });
        differences.sort(java.util.Comparator.comparing(Difference::id));
        List<Integer> differingRanges = new ArrayList<>();
        for (int range = 0; range < KEY_RANGES; range++) {
            if (authorityDigests[range] != replicaDigests[range]) {
                differingRanges.add(range);
            }
        }
        differencesGauge(type).set(differences.size());
        long live = authority.fingerprints().values().stream().filter(fingerprint -> !fingerprint.removed()).count();
        return new Comparison(type, live, rows[0], differingRanges, caughtUp, authority.unreadable(), differences);
    }

    private record Comparison(String type, long authoritative, long rows, List<Integer> differingRanges, boolean caughtUp,
                              long unreadable, List<Difference> differences) {
        Report report(int repaired, List<NotRepaired> notRepaired) {
            return new Report(type, authoritative, rows, KEY_RANGES, differingRanges, caughtUp, unreadable, differences.size(),
                    List.copyOf(differences.subList(0, Math.min(MAX_LISTED, differences.size()))), repaired, notRepaired);
        }
    }

    /** The key range of an id: murmur2 of its UTF-8 bytes, as Kafka's default partitioner hashes keys. */
    static int range(String id) {
        return Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % KEY_RANGES;
    }

    private static long entryHash(String id, Fingerprint fingerprint) {
        return (id.hashCode() * 31L + Long.hashCode(fingerprint.version())) * 1_000_003L
                ^ fingerprint.dataHash() ^ (fingerprint.deleted() ? 0x9E3779B97F4A7C15L : 0);
    }

    /** Whether the replica's stored offsets reached the snapshot's last records within {@link #CATCH_UP}. */
    private boolean awaitConsumed(Map<TopicPartition, Long> afterLastRecord) {
        Instant deadline = Instant.now().plus(CATCH_UP);
        while (true) {
            Map<TopicPartition, Long> consumed = store.storedOffsets(afterLastRecord.keySet());
            if (afterLastRecord.entrySet().stream().allMatch(partition -> consumed.getOrDefault(partition.getKey(), 0L) >= partition.getValue())) {
                return true;
            }
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            try {
                Thread.sleep(100); // the applier commits in its own transactions; no signal to wait on from here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private AtomicLong differencesGauge(String type) {
        return differencesGauges.computeIfAbsent(type, name ->
                registry.gauge("concord.replica.verify.differences", Tags.of("type", name), new AtomicLong()));
    }
}
