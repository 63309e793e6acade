package dev.concord.consumer.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.json.AvroToJson;
import dev.concord.replica.store.StateChange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What a verification compares of one entity on both sides: its version, whether it is deleted, and a hash of its
 * data in a canonical JSON form (object keys sorted, numbers by value), so that the payload rendered from Avro and
 * the same payload read back from {@code jsonb} (which reorders keys and may respell numbers) hash alike.
 * {@link #REMOVED} stands for an entity the state topic holds only a Kafka tombstone of.
 */
record Fingerprint(long version, boolean deleted, long dataHash) {

    static final Fingerprint REMOVED = new Fingerprint(-1, true, 0);
    private static final ObjectMapper JSON = new ObjectMapper();

    static Fingerprint of(StateChange change) {
        if (change instanceof StateChange.Upsert upsert) {
            return new Fingerprint(upsert.version(), upsert.deleted(),
                    upsert.payload() == null ? 0 : hash(AvroToJson.toJson(upsert.payload())));
        }
        return REMOVED;
    }

    static Fingerprint ofRow(long version, boolean deleted, String dataJson) {
        try {
            return new Fingerprint(version, deleted, dataJson == null ? 0 : hash(JSON.readTree(dataJson)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a jsonb column that does not parse as JSON: " + e.getOriginalMessage(), e);
        }
    }

    boolean removed() {
        return version < 0;
    }

    private static long hash(JsonNode data) {
        StringBuilder canonical = new StringBuilder();
        canonical(data, canonical);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static void canonical(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            out.append('{');
            for (String name : names) {
                out.append(JSON.valueToTree(name).toString()).append(':');
                canonical(node.get(name), out);
                out.append(',');
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (Iterator<JsonNode> items = node.elements(); items.hasNext(); ) {
                canonical(items.next(), out);
                out.append(',');
            }
            out.append(']');
        } else if (node.isNumber()) {
            out.append(node.decimalValue().stripTrailingZeros().toPlainString());
        } else {
            out.append(node.toString());
        }
    }
}
