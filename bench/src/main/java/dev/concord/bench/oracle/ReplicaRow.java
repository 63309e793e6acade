package dev.concord.bench.oracle;

import com.fasterxml.jackson.databind.JsonNode;

/** One row of a replica's entity table, as the oracle reads it. */
public record ReplicaRow(String id, long version, boolean deleted, JsonNode data) {
}
