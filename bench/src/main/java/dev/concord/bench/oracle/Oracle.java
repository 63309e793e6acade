package dev.concord.bench.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.bench.load.Ledger;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.types.EntityType;
import dev.concord.processor.merge.MergeDecision;
import dev.concord.processor.merge.MergeRule;
import dev.concord.processor.merge.MergeRules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The correctness oracle: computes what every copy must hold from the accepted events alone, with
 * the same pure merge rules the processor uses, applied per entity in log order; then compares a
 * copy — the state topic or a replica's table — with it, entity by entity.
 */
public final class Oracle {

    private final EntityType type;
    private final PayloadCodec payloads;

    public Oracle(EntityType type, PayloadCodec payloads) {
        this.type = type;
        this.payloads = payloads;
    }

    /** The final state of every entity the accepted events touched. */
    public Map<String, EntityState> truth(Ledger ledger) {
        MergeRule rule = MergeRules.forType(type, payloads);
        Map<String, EntityState> states = new HashMap<>();
        for (Ledger.Accepted accepted : ledger.inLogOrder()) {
            String id = accepted.event().getEntityId();
            MergeDecision decision = rule.decide(states.get(id), accepted.event(), 0);
            if (decision instanceof MergeDecision.Accepted change) {
                states.put(id, change.state());
            }
        }
        return states;
    }

    /** One record of the state topic: key and value (null = Kafka tombstone). */
    public record StateRecord(String key, EntityState state) {
    }

    public OracleReport checkStateTopic(Map<String, EntityState> truth, List<StateRecord> records) {
        Map<String, EntityState> latest = new HashMap<>();
        Map<String, Set<Long>> versionsSeen = new HashMap<>();
        Set<String> duplicated = new HashSet<>();
        for (StateRecord record : records) {
            if (record.state() == null) {
                latest.remove(record.key());
                continue;
            }
            latest.put(record.key(), record.state());
            if (!versionsSeen.computeIfAbsent(record.key(), k -> new HashSet<>()).add(record.state().getVersion())) {
                duplicated.add(record.key());
            }
        }
        List<String> lost = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> diverged = new ArrayList<>();
        for (Map.Entry<String, EntityState> expected : truth.entrySet()) {
            EntityState actual = latest.get(expected.getKey());
            if (actual == null) {
                lost.add(expected.getKey());
            } else if (actual.getVersion() < expected.getValue().getVersion()) {
                stale.add(expected.getKey());
            } else if (!content(actual).equals(content(expected.getValue()))) {
                diverged.add(expected.getKey());
            }
        }
        List<String> extra = latest.keySet().stream().filter(k -> !truth.containsKey(k)).toList();
        return new OracleReport("state topic", truth.size(), sorted(lost), sorted(stale), sorted(diverged), sorted(extra),
                sorted(new ArrayList<>(duplicated)));
    }

    public OracleReport checkReplica(String replica, Map<String, EntityState> truth, Map<String, ReplicaRow> rows) {
        List<String> lost = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> diverged = new ArrayList<>();
        for (Map.Entry<String, EntityState> expected : truth.entrySet()) {
            ReplicaRow row = rows.get(expected.getKey());
            EntityState state = expected.getValue();
            if (row == null) {
                lost.add(expected.getKey());
            } else if (row.version() < state.getVersion()) {
                stale.add(expected.getKey());
            } else if (row.version() > state.getVersion() || row.deleted() != state.getDeleted()
                    || (!state.getDeleted() && !sameJson(row.data(), expectedJson(state)))) {
                diverged.add(expected.getKey());
            }
        }
        List<String> extra = rows.keySet().stream().filter(k -> !truth.containsKey(k)).toList();
        return new OracleReport("replica " + replica, truth.size(), sorted(lost), sorted(stale), sorted(diverged), sorted(extra),
                List.of());
    }

    private JsonNode expectedJson(EntityState state) {
        return AvroToJson.toJson(payloads.decode(state.getPayload(), type.schema()));
    }

    /** What must match: everything but processing time; a deleted entity's payload is not published. */
    private static Map<String, Object> content(EntityState state) {
        Map<String, Object> content = new TreeMap<>();
        content.put("version", state.getVersion());
        content.put("deleted", state.getDeleted());
        content.put("clock", HlcTimestamp.of(state.getClock()));
        content.put("writer", state.getWriter());
        content.put("lastEventId", state.getLastEventId());
        content.put("payload", state.getDeleted() || state.getPayload() == null ? "none" : state.getPayload().duplicate());
        content.put("stamps", new TreeMap<>(state.getFieldStamps()).toString());
        return content;
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
