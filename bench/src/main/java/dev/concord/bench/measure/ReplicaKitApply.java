package dev.concord.bench.measure;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.concord.bench.BenchEnvironment;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.Replica;
import dev.concord.replica.jdbc.ColumnProjection;
import dev.concord.replica.jdbc.ColumnType;
import dev.concord.replica.jdbc.EntityChange;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.avro.generic.GenericRecord;

/**
 * The replica kit bootstrapping a preloaded state topic into a team's table, in this process: the same rows as the
 * plain batched insert and the COPY it is compared with (type, id, version, the payload as jsonb), through a
 * {@link ColumnProjection} on a connection pool, as a team's service would run it, plus the kit's version guard and
 * offsets in each poll's transaction.
 */
final class ReplicaKitApply {

    private final BenchEnvironment env;

    ReplicaKitApply(BenchEnvironment env) {
        this.env = env;
    }

    /**
     * @param applyRate      rows per second between the first and the last applied row, measured as consumer-service's is
     * @param caughtUpSeconds from {@code start()} until caught up (consumer group join included)
     */
    record Result(double applyRate, double caughtUpSeconds) {
    }

    /** Where the kit keeps the versions that guard the table. */
    enum Guard {
        /** the table's own version column: one write per row, the kit keeps deletions only */
        VERSION_COLUMN,
        /** the kit's guard table (a table without a version column of its own): two writes per row */
        KIT_TABLE
    }

    Result run(EntityType type, int entities, int appliers, Guard guard) throws Exception {
        String name = "kit_" + appliers + "_" + guard.name().toLowerCase() + "_" + type.name().replace('-', '_');
        try (HikariDataSource dataSource = pool(env.newDatabase(name), appliers)) {
            try (Connection db = dataSource.getConnection()) {
                EntityTable.create(db);
            }
            return bootstrap(dataSource, name, type, entities, appliers, guard);
        }
    }

    private Result bootstrap(DataSource dataSource, String name, EntityType type, int entities, int appliers, Guard guard) throws Exception {
        long start = System.nanoTime();
        try (Replica replica = Replica.builder()
                .name("bench-" + name.replace('_', '-'))
                .appliers(appliers)
                .kafka(Map.of("bootstrap.servers", env.bootstrapServers()))
                .types(EntityTypes.of(List.of(type)))
                .dataSource(dataSource)
                .projectGeneric(type.name(), sameRowsAsThePlainInsert(type, guard))
                .start()) {
            Waiting.until("the replica kit to catch up with " + entities + " entities", Duration.ofMinutes(15), replica::caughtUp);
            double caughtUpSeconds = (System.nanoTime() - start) / 1e9;
            try (Connection db = dataSource.getConnection()) {
                return new Result(EntityTable.applyRate(db), caughtUpSeconds);
            }
        }
    }

    /** The rows the plain insert and the COPY write (type, id, version, the payload as jsonb), declared by their columns. */
    private static ColumnProjection<GenericRecord> sameRowsAsThePlainInsert(EntityType type, Guard guard) {
        ColumnProjection.Builder<GenericRecord> rows = ColumnProjection.<GenericRecord>into("entity", "entity_id")
                .fixed("entity_type", type.name())
                .column("data", ColumnType.JSONB, EntityChange::value);
        return (guard == Guard.VERSION_COLUMN ? rows.version("version") : rows.column("version", ColumnType.BIGINT, EntityChange::version)).build();
    }

    /** A connection pool, as a service gives the kit (Micronaut's data source is one): not a new backend per batch. */
    private static HikariDataSource pool(String url, int appliers) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(appliers + 2);
        config.setPoolName("bench-kit");
        return new HikariDataSource(config);
    }
}
