package dev.concord.producer.write;

import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.outcomes.DecisionHeaders;
import dev.concord.contract.topics.StateRecordLimits;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * How large a write producer-service accepts — the one place these limits are computed. A 202 promises
 * the write will be folded, so the door accepts no payload that would make sync-processor dead-letter
 * the event for size.
 *
 * <p><b>What the processor can carry.</b> sync-processor refuses (dead-letters the input of) any output
 * record whose serialized value exceeds {@code concord.sync.max-output-bytes}, default 1,000,000 bytes
 * ({@code OutputSizeGuard}), which stays below the topics' {@code max.message.bytes} (no topic declaration
 * sets one, so the broker default 1,048,588 applies; the rest is room for key, headers and batch framing).
 * producer-service reads the same number as {@code concord.limits.max-output-bytes}. Per event, the
 * processor writes at most these records holding the event's payload P:
 * <ul>
 *   <li>the <b>state</b>: envelope + P + one field stamp per top-level field ({@link #stateOverhead});</li>
 *   <li>a <b>conflict record</b> holding the loser's payload P ({@link #conflictOverhead});</li>
 *   <li>a <b>rejected event</b> holding the whole event, P included ({@link #rejectedOverhead}).</li>
 * </ul>
 * Each overhead is an upper bound in Avro binary: a long takes at most {@value #LONG} bytes, an int
 * {@value #INT}, a union branch, enum symbol or boolean 1, a string its UTF-8 bytes plus a length varint;
 * single-object encoding adds {@value #HEADER} bytes. Unbounded strings of the envelopes are bounded by
 * the rules that produce them: entity id ≤ {@link EntityIdGrammar#MAX_UTF8_BYTES} bytes, writer id ≤
 * {@value #MAX_WRITER_BYTES} ASCII characters (the {@code X-Concord-Writer} rule, and checked for the
 * configured writer ids), request id ≤ {@value #MAX_REQUEST_ID_BYTES} bytes ({@link RequestIds}), rule name,
 * service, transaction, position ≤ {@value #SHORT_TEXT_BYTES} bytes, trace id ≤ {@value #TRACE_ID_BYTES},
 * the processor's rejection detail ≤ {@value #DETAIL_BYTES} bytes plus a list of the field names.
 *
 * <p><b>Max encoded payload</b> of a type = max output − the largest of its three overheads (for the
 * sample types 1,000,000 − about 20,500 bytes, 16,002 of them for the remembered event ids). <b>Field-merge</b> types need more: the state's payload is
 * merged from many events, each field from the newest write to it, so two payloads under the limit can
 * merge into one over it. Since the record encoding is the concatenation of its fields, the door caps each
 * top-level field at an equal share, (max payload − {@value #HEADER}) / fields, and the merged state can
 * never exceed the max payload whichever writes win.
 *
 * <p><b>Max body</b> (every HTTP request, {@code micronaut.server.max-request-size}) = the smallest max
 * payload of the declared types. A JSON body is almost always larger than its Avro encoding (names, quotes,
 * digits), so the body limit refuses over-large writes before they are parsed; the encoded check catches
 * the rest (bodies whose encoding grows: defaults filled in, small numbers for doubles).
 */
public final class PayloadLimits {

    /** The writer id rule of every door ({@code X-Concord-Writer}, configured writer ids): visible ASCII. */
    public static final int MAX_WRITER_BYTES = 128;
    static final int MAX_REQUEST_ID_BYTES = 3 * (RequestIds.MAX_LENGTH + 11); // UTF-16 unit ≤ 3 UTF-8 bytes; "#<index>" of a batch item
    static final int SHORT_TEXT_BYTES = 64;
    static final int TRACE_ID_BYTES = 128;
    static final int DETAIL_BYTES = 1024;

    static final int HEADER = 10;  // single-object encoding: C3 01 + 8-byte schema fingerprint
    static final int LONG = 10;
    static final int INT = 5;
    static final int ONE = 1;      // a union branch, an enum symbol (< 64 symbols), a boolean
    private static final int CLOCK = LONG + INT;
    private static final int UUID = string(36);
    private static final int ENTITY_ID = string(EntityIdGrammar.MAX_UTF8_BYTES);
    private static final int WRITER = string(MAX_WRITER_BYTES);
    private static final int WRITE_REF = ONE + UUID + CLOCK + WRITER + ONE + ONE;
    private static final int SOURCE = ONE + string(SHORT_TEXT_BYTES) + ONE + string(MAX_REQUEST_ID_BYTES) + ONE + string(TRACE_ID_BYTES)
            + ONE + string(SHORT_TEXT_BYTES) + ONE + string(SHORT_TEXT_BYTES);

    private final int maxOutputBytes;
    private final Map<String, Integer> maxPayloadBytes;
    private final int maxBodyBytes;

    public PayloadLimits(int maxOutputBytes, EntityTypes types) {
        this.maxOutputBytes = maxOutputBytes;
        this.maxPayloadBytes = types.all().stream().collect(Collectors.toUnmodifiableMap(EntityType::name,
                type -> maxOutputBytes - Math.max(stateOverhead(type), Math.max(conflictOverhead(type), rejectedOverhead(type)))));
        this.maxBodyBytes = maxPayloadBytes.values().stream().mapToInt(Integer::intValue).min().orElse(maxOutputBytes);
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("concord.limits.max-output-bytes " + maxOutputBytes
                    + " leaves almost no room for payloads after the envelopes; keep it at the processor's value");
        }
    }

    public int maxOutputBytes() {
        return maxOutputBytes;
    }

    /** The largest HTTP request body, for every endpoint (413 beyond it). */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** The largest single-object encoded payload of this type. */
    public int maxPayloadBytes(EntityType type) {
        return maxPayloadBytes.get(type.name());
    }

    /** Field-merge types: the largest encoding of one top-level field (see the class comment); others: no own cap. */
    public int maxFieldBytes(EntityType type) {
        return type.policy() == MergePolicy.FIELD_MERGE
                ? (maxPayloadBytes(type) - HEADER) / type.schema().getFields().size()
                : maxPayloadBytes(type);
    }

    /**
     * @param encoded the single-object encoding of {@code record}
     * @param field   how the payload is named to the client: {@code (body)}, or {@code data}/{@code patch} in a batch
     * @throws PayloadTooLargeException naming the payload or the field that is over its limit
     */
    public void requireFits(EntityType type, GenericRecord record, byte[] encoded, String field) {
        int max = maxPayloadBytes(type);
        if (encoded.length > max) {
            throw new PayloadTooLargeException(type.name(), field, "", max, encoded.length, maxOutputBytes);
        }
        int maxField = maxFieldBytes(type);
        if (type.policy() != MergePolicy.FIELD_MERGE || encoded.length - HEADER <= maxField) {
            return; // no field can be over its share when the whole record is not
        }
        for (Schema.Field f : type.schema().getFields()) {
            int size = encodedSize(f.schema(), record.get(f.pos()));
            if (size > maxField) {
                throw new PayloadTooLargeException(type.name(), f.name(), "/" + f.name(), maxField, size, maxOutputBytes);
            }
        }
    }

    // --- the arithmetic ------------------------------------------------------------------------------

    /**
     * The state record, whole, as sync-processor measures it before storing it (the state topic is its store's log):
     * the key (the entity id), the {@code EntityState} (type, id, version, clock, writer, deleted, payload frame, field
     * stamps, last event id, updatedAt, and the remembered event ids, published since the state topic became the
     * store's log) and the decision headers (docs/contract.md: the event id, and at most every field name as lost).
     */
    static int stateOverhead(EntityType type) {
        int stamps = 0;
        for (String name : fieldNames(type)) {
            stamps += string(utf8(name)) + CLOCK + WRITER + ONE;
        }
        int fieldStamps = varint(fieldNames(type).size()) + stamps + ONE;
        int recentEventIds = string(StateRecordLimits.EVENT_ID_BYTES * StateRecordLimits.MAX_RECENT_EVENT_IDS);
        int value = HEADER + string(utf8(type.name())) + ENTITY_ID + LONG + CLOCK + WRITER + ONE + payloadFrame() + fieldStamps
                + UUID + LONG + recentEventIds;
        int lostFields = fieldNames(type).stream().mapToInt(name -> utf8(name) + 1).sum();
        int decisionHeaders = utf8(DecisionHeaders.DECIDED_EVENT) + 36 + utf8(DecisionHeaders.LOST_FIELDS) + lostFields;
        return EntityIdGrammar.MAX_UTF8_BYTES + value + decisionHeaders;
    }

    /** {@code ConflictRecord}: type, id, rule, scope, fields, winner, loser, stateVersion, loser payload frame, detectedAt. */
    static int conflictOverhead(EntityType type) {
        return HEADER + string(utf8(type.name())) + ENTITY_ID + string(SHORT_TEXT_BYTES) + ONE + fieldList(type)
                + 2 * WRITE_REF + LONG + payloadFrame() + LONG;
    }

    /** {@code RejectedEvent}: reason, detail, currentVersion, the whole {@code EntityEvent} but its payload, rejectedAt. */
    static int rejectedOverhead(EntityType type) {
        int eventEnvelope = UUID + string(utf8(type.name())) + ENTITY_ID + ONE + CLOCK + WRITER + ONE + LONG + fieldList(type)
                + payloadFrame() + LONG + SOURCE;
        // The detail is a sentence that may list the type's field names (e.g. "changedFields [a, b] are not fields of T").
        return HEADER + ONE + string(DETAIL_BYTES + 2 * fieldList(type)) + LONG + eventEnvelope + LONG;
    }

    /** An array of the type's field names (changedFields, a conflict's fields): block count, names, end marker. */
    private static int fieldList(EntityType type) {
        int names = fieldNames(type).stream().mapToInt(name -> string(utf8(name))).sum();
        return varint(fieldNames(type).size()) + names + ONE;
    }

    /** A nullable bytes field holding a payload: union branch + length. */
    private static int payloadFrame() {
        return ONE + varint(Integer.MAX_VALUE);
    }

    private static List<String> fieldNames(EntityType type) {
        return type.schema().getFields().stream().map(Schema.Field::name).toList();
    }

    static int string(int utf8Bytes) {
        return varint(utf8Bytes) + utf8Bytes;
    }

    /** Bytes of a non-negative Avro int/long (zig-zag: n → 2n, then 7 bits per byte). */
    static int varint(long n) {
        long zigzag = n << 1;
        int bytes = 1;
        while ((zigzag >>>= 7) != 0) {
            bytes++;
        }
        return bytes;
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static int encodedSize(Schema schema, Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new GenericDatumWriter<Object>(schema).write(value, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding into memory cannot fail", e);
        }
        return out.size();
    }

    /** Every type's limits, for the README and the start-up log. */
    public Map<String, Integer> maxPayloadBytesByType() {
        return maxPayloadBytes;
    }
}
