package dev.concord.producer.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EventSource;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.text.LogSafe;
import dev.concord.contract.types.EntityType;
import dev.concord.producer.source.RowMapping;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.EventIds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one Debezium change (the JSON key and the {@code before/after/source/op} envelope) into an
 * {@link EntityEvent}: create, snapshot read and update → UPSERT of the row's columns mapped onto the
 * type's fields (columns without a field, such as the key, are dropped); delete → DELETE.
 *
 * <p>Deterministic, so a change replayed after a restart is the very same event: the event id is a
 * name-based UUID of slot, LSN, table, key and op; the clock is the source commit time with the low
 * 31 bits of the LSN as logical part (changes committed in the same millisecond keep log order, save
 * across a 2 GiB WAL boundary); the writer is the configured CDC writer id. {@code source.position}
 * holds the LSN ({@code X/X}, as PostgreSQL prints it), {@code source.transactionId} the transaction.
 */
public final class CdcEventMapper {

    static final String SERVICE_NAME = "cdc";
    private static final Logger LOG = LoggerFactory.getLogger(CdcEventMapper.class);

    private final ConcordContract contract;
    private final EventFactory events;
    private final Map<String, String> tables;
    private final String slot;
    private final String writerId;
    // Tables whose unmapped columns were already reported: say it once, not per row.
    private final Set<String> reportedDrops = ConcurrentHashMap.newKeySet();

    public CdcEventMapper(ConcordContract contract, EventFactory events, Map<String, String> tables, String slot, String writerId) {
        this.contract = contract;
        this.events = events;
        this.tables = Map.copyOf(tables);
        this.slot = slot;
        this.writerId = writerId;
    }

    /** The event for this change; empty for records that are not row changes (tombstones, heartbeats). */
    public Optional<EntityEvent> toEvent(JsonNode key, JsonNode value) {
        if (value == null || value.isNull() || !value.has("op")) {
            return Optional.empty();
        }
        JsonNode source = value.path("source");
        String table = source.path("schema").asText() + "." + source.path("table").asText();
        long lsn = source.path("lsn").asLong();
        ChangeKind kind = ChangeKind.of(value.path("op").asText());
        if (kind == ChangeKind.TRUNCATE || kind == ChangeKind.MESSAGE || kind == ChangeKind.OTHER) {
            // No per-entity meaning: a TRUNCATE does not list the rows it removed.
            LOG.warn("CDC: ignoring a {} change on {} at {}", kind, LogSafe.of(table), lsnText(lsn));
            return Optional.empty();
        }
        String typeName = tables.get(table);
        if (typeName == null) {
            throw new IllegalArgumentException("change from table " + table + ", which is not configured for capture");
        }
        EntityType type = contract.types().require(typeName);
        String entityId = entityId(key);
        String op = kind.name();
        HlcTimestamp clock = new HlcTimestamp(source.path("ts_ms").asLong(), (int) (lsn & Integer.MAX_VALUE));
        EventSource eventSource = EventSource.newBuilder(EntityEvents.source(SERVICE_NAME))
                .setTransactionId(source.hasNonNull("txId") ? source.get("txId").asText() : null)
                .setPosition(lsnText(lsn))
                .build();
        java.util.UUID eventId = EventIds.fromName("concord/cdc/" + slot + "/" + lsn + "/" + table + "/" + entityId + "/" + op);
        ObjectNode entity = null;
        if (kind != ChangeKind.DELETE) {
            Set<String> dropped = new HashSet<>();
            entity = RowMapping.toEntity((ObjectNode) value.get("after"), type.schema(), true, dropped);
            if (!dropped.isEmpty() && reportedDrops.add(table)) {
                LOG.info("CDC: columns {} of {} match no field of {} and are not published", LogSafe.of(dropped),
                        LogSafe.of(table), type.name());
            }
        }
        // Made as every write's event is: the same checks as the HTTP API and the outbox.
        EventFactory.Prepared prepared = events.prepare(new EventFactory.Write(
                kind == ChangeKind.DELETE ? Operation.DELETE : Operation.UPSERT, type.name(), entityId, entity, null, null,
                "after", "expected_version"));
        return Optional.of(events.event(prepared, eventId, clock, writerId, eventSource));
    }

    /** Debezium's change codes ({@code op}), read once into a type the mapping dispatches on. */
    enum ChangeKind {
        CREATE, READ, UPDATE, DELETE, TRUNCATE, MESSAGE, OTHER;

        static ChangeKind of(String code) {
            switch (code) {
                case "c": return CREATE;
                case "r": return READ;
                case "u": return UPDATE;
                case "d": return DELETE;
                case "t": return TRUNCATE;
                case "m": return MESSAGE;
                default: return OTHER;
            }
        }
    }

    /** The primary key's values, joined with '/' when the key has several columns. */
    static String entityId(JsonNode key) {
        if (key == null || !key.isObject() || key.isEmpty()) {
            throw new IllegalArgumentException("a captured table needs a primary key; the change has key " + key);
        }
        List<String> parts = new ArrayList<>();
        for (Iterator<JsonNode> values = key.elements(); values.hasNext(); ) {
            parts.add(values.next().asText());
        }
        return String.join("/", parts);
    }

    static String lsnText(long lsn) {
        return String.format("%X/%X", lsn >>> 32, lsn & 0xFFFFFFFFL);
    }
}
