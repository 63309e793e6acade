package dev.concord.producer.cdc;

import dev.concord.producer.write.WriterIds;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What change data capture reads and where it keeps its place.
 *
 * @param jdbcUrl    {@code jdbc:postgresql://host:port/database} of the source
 * @param tables     source table ({@code schema.table}) → entity type; the table's primary key is the entity id
 * @param slot       the logical replication slot (one reader at a time; it holds WAL until read)
 * @param offsetFile where the last acknowledged log position is stored, to resume from after a restart
 * @param writerId   the events' writer: stable per source, since clocks come from the source's commits
 * @param debeziumOverrides further Debezium connector properties (e.g. {@code heartbeat.interval.ms},
 *                   {@code database.sslmode}, {@code snapshot.mode}), applied over Concord's defaults
 */
public record CdcSettings(String jdbcUrl, String user, String password, Map<String, String> tables, String slot,
                          Path offsetFile, String writerId, Map<String, String> debeziumOverrides) {

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public CdcSettings {
        tables = Map.copyOf(tables);
        debeziumOverrides = Map.copyOf(debeziumOverrides);
        WriterIds.requireConfigured(writerId, "concord.cdc.writer-id");
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("change data capture needs at least one table: CONCORD_CDC_TABLES=public.customers=customer,...");
        }
        if (!NAME.matcher(slot).matches()) {
            throw new IllegalArgumentException("replication slot name '" + slot + "' must match " + NAME.pattern());
        }
    }

    /** {@code public.customers=customer,public.orders=order} → ordered map. */
    public static Map<String, String> parseTables(String spec) {
        Map<String, String> tables = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.trim().split("=");
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("CDC table entry '" + entry.trim() + "' must be <schema.table>=<entity type>");
            }
            String table = parts[0].trim().contains(".") ? parts[0].trim() : "public." + parts[0].trim();
            tables.put(table, parts[1].trim());
        }
        return tables;
    }

    /** Debezium's embedded engine configuration: PostgreSQL via pgoutput, offsets in a local file, JSON without schemas. */
    Properties engineProperties() {
        URI uri = URI.create(jdbcUrl.replaceFirst("^jdbc:", ""));
        String database = uri.getPath().replaceFirst("^/", "");
        Properties p = new Properties();
        p.setProperty("name", "concord-cdc-" + slot);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", offsetFile.toString());
        // Offsets are flushed at most this late after the batch was acknowledged by Kafka; a crash in
        // between replays those changes, with the same event ids (deduplicated downstream).
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("database.hostname", uri.getHost() == null ? "localhost" : uri.getHost());
        p.setProperty("database.port", Integer.toString(uri.getPort() < 0 ? 5432 : uri.getPort()));
        p.setProperty("database.dbname", database);
        p.setProperty("database.user", user == null || user.isBlank() ? userFromUrl(uri) : user);
        p.setProperty("database.password", password == null ? "" : password);
        p.setProperty("topic.prefix", "concord-cdc");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("publication.name", slot);
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", String.join(",", tables.keySet()));
        p.setProperty("snapshot.mode", "initial");
        p.setProperty("decimal.handling.mode", "double");
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("key.converter.schemas.enable", "false");
        p.setProperty("value.converter.schemas.enable", "false");
        p.setProperty("converter.schemas.enable", "false");
        debeziumOverrides.forEach(p::setProperty);
        return p;
    }

    private static String userFromUrl(URI uri) {
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("user=")) {
                return parameter.substring("user=".length());
            }
        }
        return "postgres";
    }
}
