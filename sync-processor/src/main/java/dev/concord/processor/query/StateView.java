package dev.concord.processor.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.FieldStamp;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The processor's current state of one entity as JSON: what the store holds, and which instance served it. */
public record StateView(String type, String id, long version, Map<String, Object> clock, String writer, boolean deleted,
                        String lastEventId, Instant updatedAt, JsonNode data, Map<String, Map<String, Object>> fieldStamps,
                        String servedBy) {

    static StateView of(EntityState state, JsonNode data, String servedBy) {
        Map<String, Map<String, Object>> stamps = state.getFieldStamps().entrySet().stream().collect(Collectors.toMap(
                e -> e.getKey().toString(), e -> stamp(e.getValue()), (a, b) -> a, TreeMap::new));
        return new StateView(state.getEntityType(), state.getEntityId(), state.getVersion(),
                Map.of("physicalMillis", state.getClock().getPhysicalMillis(), "logical", state.getClock().getLogical()),
                state.getWriter(), state.getDeleted(), state.getLastEventId().toString(), state.getUpdatedAt(),
                state.getDeleted() ? null : data, stamps, servedBy);
    }

    private static Map<String, Object> stamp(FieldStamp stamp) {
        return Map.of("physicalMillis", stamp.getClock().getPhysicalMillis(), "logical", stamp.getClock().getLogical(),
                "writer", stamp.getWriter(), "present", stamp.getPresent());
    }
}
