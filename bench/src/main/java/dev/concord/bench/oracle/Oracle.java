package dev.concord.bench.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.bench.load.Ledger;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.types.EntityType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The correctness oracle: computes what every copy must hold from the accepted events alone, with the
 * independent reference rules ({@link ReferenceMerge}: written from docs/conflict-resolution.md, sharing
 * no code with sync-processor, so a bug in a production rule shows up here instead of being copied into
 * the truth), applied per entity in log order; then compares a copy — the state topic or a replica's
 * table — with it, entity by entity: version, deletion, the winning clock and writer, and the data.
 */
public final class Oracle {

    private final EntityType type;
    private final PayloadCodec payloads;

    public Oracle(EntityType type, PayloadCodec payloads) {
        this.type = type;
        this.payloads = payloads;
    }

    /** The final state of every entity the accepted events changed. */
    public Map<String, ReferenceMerge.Expected> truth(Ledger ledger) {
        ReferenceMerge reference = new ReferenceMerge(type, payloads);
        ledger.inLogOrder().forEach(accepted -> reference.apply(accepted.event()));
        return reference.expected();
    }

    /**
     * One record of the state topic: key, value (null = Kafka tombstone), and whether it decided a write (it carries
     * the {@code concord-decided-event} header). The others repeat a state that did not change (a write that lost or
     * was refused, remembered by id: the state topic is the processor's store log), or are replays or tombstone expiries.
     */
    public record StateRecord(String key, EntityState state, boolean decided) {
    }

    public OracleReport checkStateTopic(Map<String, ReferenceMerge.Expected> truth, List<StateRecord> records) {
        Map<String, EntityState> latest = new HashMap<>();
        Map<String, Set<Long>> versionsSeen = new HashMap<>();
        Set<String> duplicated = new HashSet<>();
        for (StateRecord record : records) {
            if (record.state() == null) {
                latest.remove(record.key());
                continue;
            }
            EntityState before = latest.put(record.key(), record.state());
            if (record.decided()) {
                if (!versionsSeen.computeIfAbsent(record.key(), k -> new HashSet<>()).add(record.state().getVersion())) {
                    duplicated.add(record.key());
                }
            } else if (before != null && before.getVersion() != record.state().getVersion()) {
                // A state that decided nothing repeats the version before it: anything else is a version out of place.
                // (With none before it, compaction may have removed the deciding record: nothing to compare.)
                duplicated.add(record.key());
            }
        }
        List<String> lost = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> diverged = new ArrayList<>();
        for (Map.Entry<String, ReferenceMerge.Expected> expected : truth.entrySet()) {
            EntityState actual = latest.get(expected.getKey());
            if (actual == null) {
                lost.add(expected.getKey());
            } else if (actual.getVersion() < expected.getValue().version()) {
                stale.add(expected.getKey());
            } else if (!matches(actual, expected.getValue())) {
                diverged.add(expected.getKey());
            }
        }
        List<String> extra = latest.keySet().stream().filter(k -> !truth.containsKey(k)).toList();
        return new OracleReport("state topic", truth.size(), sorted(lost), sorted(stale), sorted(diverged), sorted(extra),
                sorted(new ArrayList<>(duplicated)));
    }

    /**
     * One region's state topic against the truth of every region's events (docs/multi-region.md): the newest state of
     * each entity must hold the decided data, clock, writer and deletion; versions are the region's own and not compared.
     */
    public OracleReport checkRegion(String region, Map<String, ReferenceMerge.Expected> truth, List<StateRecord> records) {
        Map<String, EntityState> latest = new HashMap<>();
        for (StateRecord record : records) {
            if (record.state() == null) {
                latest.remove(record.key());
            } else if (!latest.containsKey(record.key()) || latest.get(record.key()).getVersion() < record.state().getVersion()) {
                latest.put(record.key(), record.state());
            }
        }
        List<String> lost = new ArrayList<>();
        List<String> diverged = new ArrayList<>();
        truth.forEach((id, expected) -> {
            EntityState actual = latest.get(id);
            if (actual == null) {
                lost.add(id);
            } else if (!sameDecision(actual, expected)) {
                diverged.add(id);
            }
        });
        List<String> extra = latest.keySet().stream().filter(k -> !truth.containsKey(k)).toList();
        return new OracleReport("region " + region, truth.size(), sorted(lost), List.of(), sorted(diverged), sorted(extra), List.of());
    }

    public OracleReport checkReplica(String replica, Map<String, ReferenceMerge.Expected> truth, Map<String, ReplicaRow> rows) {
        List<String> lost = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> diverged = new ArrayList<>();
        for (Map.Entry<String, ReferenceMerge.Expected> expected : truth.entrySet()) {
            ReplicaRow row = rows.get(expected.getKey());
            ReferenceMerge.Expected state = expected.getValue();
            if (row == null) {
                lost.add(expected.getKey());
            } else if (row.version() < state.version()) {
                stale.add(expected.getKey());
            } else if (row.version() > state.version() || row.deleted() != state.deleted()
                    || (!state.deleted() && !sameJson(row.data(), state.data()))) {
                diverged.add(expected.getKey());
            }
        }
        List<String> extra = rows.keySet().stream().filter(k -> !truth.containsKey(k)).toList();
        return new OracleReport("replica " + replica, truth.size(), sorted(lost), sorted(stale), sorted(diverged), sorted(extra),
                List.of());
    }

    /**
     * What must match: the version, the deletion, the winning write's clock and writer, and the data (a deleted
     * entity's payload is not published). The processor's own bookkeeping (field stamps, last event id,
     * processing time) is not the reference rules' business.
     */
    private boolean matches(EntityState actual, ReferenceMerge.Expected expected) {
        return actual.getVersion() == expected.version() && sameDecision(actual, expected);
    }

    /** Everything but the version: what every region must agree on (each counts its own versions, docs/multi-region.md). */
    private boolean sameDecision(EntityState actual, ReferenceMerge.Expected expected) {
        return actual.getDeleted() == expected.deleted()
                && HlcTimestamp.of(actual.getClock()).equals(new HlcTimestamp(expected.physical(), expected.logical()))
                && actual.getWriter().equals(expected.writer())
                && (expected.deleted() || actual.getPayload() != null
                        && sameJson(AvroToJson.toJson(payloads.decode(actual.getPayload(), type.schema())), expected.data()));
    }

    /** JSON equality that ignores key order (jsonb reorders) and integer width (1 vs 1L). */
    static boolean sameJson(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return Objects.equals(a, b) || (a != null && a.isNull()) && b == null;
        }
        Comparator<JsonNode> numbersByValue = (x, y) -> x.isNumber() && y.isNumber()
                ? x.decimalValue().compareTo(y.decimalValue()) : (x.equals(y) ? 0 : 1);
        return a.equals(numbersByValue, b);
    }

    private static List<String> sorted(List<String> ids) {
        return ids.stream().sorted().toList();
    }
}
