package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.Replica;
import dev.concord.replica.jdbc.EntityChange;
import dev.concord.replica.jdbc.TableProjection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The replica kit bootstrapping a preloaded state topic into a team's table, in this process: the same rows as the
 * plain batched insert it is compared with (type, id, version, the payload as jsonb), plus the kit's version guard and
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

    Result run(EntityType type, int entities, int appliers) throws Exception {
        String url = env.newDatabase("kit_" + appliers + "_" + type.name().replace('-', '_'));
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        try (Connection db = dataSource.getConnection()) {
            EntityTable.create(db);
        }
        long start = System.nanoTime();
        try (Replica replica = Replica.builder()
                .name("bench-kit-" + appliers + "-" + type.name())
                .appliers(appliers)
                .kafka(Map.of("bootstrap.servers", env.bootstrapServers()))
                .types(EntityTypes.of(List.of(type)))
                .dataSource(dataSource)
                .projectGeneric(type.name(), new JsonRows())
                .start()) {
            Waiting.until("the replica kit to catch up with " + entities + " entities", Duration.ofMinutes(15), replica::caughtUp);
            double caughtUpSeconds = (System.nanoTime() - start) / 1e9;
            try (Connection db = dataSource.getConnection()) {
                return new Result(EntityTable.applyRate(db), caughtUpSeconds);
            }
        }
    }

    /** The plain insert's row, batched per poll. */
    private static final class JsonRows extends TableProjection<GenericRecord> {

        private static final String UPSERT = "INSERT INTO entity VALUES (?, ?, ?, ?::jsonb, now()) "
                + "ON CONFLICT (entity_type, entity_id) DO UPDATE SET version = EXCLUDED.version, data = EXCLUDED.data";

        JsonRows() {
            super("entity", "entity_id");
        }

        @Override
        public void upsertAll(Connection tx, List<EntityChange<GenericRecord>> changes) throws SQLException {
            try (PreparedStatement upsert = tx.prepareStatement(UPSERT)) {
                for (EntityChange<GenericRecord> change : changes) {
                    upsert.setString(1, change.type());
                    upsert.setString(2, change.id());
                    upsert.setLong(3, change.version());
                    upsert.setString(4, AvroToJson.toJson(change.value()).toString());
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
        }
    }
}
