package dev.concord.replica.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.replica.store.StateBatch;
import dev.concord.replica.store.StateChange;
import dev.concord.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Two transactions on one partition — an applier that lost the partition mid-batch and its new owner — run one after
 * the other, the second seeing what the first wrote: what a table guarding its own versions relies on, since its
 * upsert does not lock the deletion the kit keeps beside it.
 */
@ExtendWith(PostgresExtension.class)
class PartitionSerializationTest {

    private static final String REPLICA = "directory";
    private static final TopicPartition PARTITION = new TopicPartition("concord.state.customer", 2);
    private static final Schema SCHEMA = SchemaBuilder.record("Customer").fields().requiredString("name").endRecord();

    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
    private ProjectionSink sink;

    @BeforeEach
    void tables() throws SQLException {
        dataSource.setURL(PostgresExtension.createDatabase());
        ReplicaTables.createIfAbsent(dataSource);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE customers (id text PRIMARY KEY, name text, version bigint NOT NULL)");
        }
        ColumnProjection<GenericRecord> customers = ColumnProjection.<GenericRecord>into("customers", "id")
                .field("name", ColumnType.TEXT, "name")
                .version("version")
                .build();
        sink = new ProjectionSink(dataSource, REPLICA, List.of(TypeBinding.generic("customer", customers)));
    }

    @Test
    void shouldApplyAnOlderStateOnlyAfterADeletionOfTheSamePartitionCommittedAndThenRefuseIt() throws Exception {
        // Given the partition's new owner in the middle of its batch: offsets saved first, the deletion of c-1 at v5 kept
        try (Connection owner = dataSource.getConnection()) {
            owner.setAutoCommit(false);
            try (PreparedStatement offsets = owner.prepareStatement(
                    "INSERT INTO concord_replica_offset (replica, topic, partition, next_offset) VALUES (?, ?, ?, 11)")) {
                offsets.setString(1, REPLICA);
                offsets.setString(2, PARTITION.topic());
                offsets.setInt(3, PARTITION.partition());
                offsets.executeUpdate();
            }
            try (PreparedStatement deletion = owner.prepareStatement(
                    "INSERT INTO concord_replica_version (replica, entity_type, entity_id, version, deleted) VALUES (?, 'customer', 'c-1', 5, true)")) {
                deletion.setString(1, REPLICA);
                deletion.executeUpdate();
            }

            // When the applier that lost the partition writes its batch with c-1's older state, v4
            CompletableFuture<?> lateBatch = CompletableFuture.runAsync(() -> sink.apply(new StateBatch(
                    List.of(live("c-1", 4, "Ada, v4"), live("c-2", 1, "Grace")), Map.of(PARTITION, 10L))));

            // Then it waits for the owner's transaction (on the partition's offsets row) instead of writing beside it
            await().atMost(Duration.ofSeconds(10)).until(this::aTransactionWaitsOnALock);
            assertThat(lateBatch).isNotDone();
            owner.commit();
            lateBatch.get();
        }

        // And it saw the deletion: c-1 stays deleted, c-2 applies, the stored offset does not move back
        assertThat(rows()).containsExactly("c-2=Grace@1");
        assertThat(storedOffset()).isEqualTo(11);
    }

    private static StateChange.Upsert live(String id, long version, String name) {
        GenericRecord customer = new GenericData.Record(SCHEMA);
        customer.put("name", name);
        return new StateChange.Upsert("customer", id, version, null, "writer", false, customer, Instant.now());
    }

    private boolean aTransactionWaitsOnALock() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet waiting = statement.executeQuery(
                     "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
            waiting.next();
            return waiting.getInt(1) > 0;
        }
    }

    private List<String> rows() throws SQLException {
        List<String> rows = new java.util.ArrayList<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT id, name, version FROM customers ORDER BY id")) {
            while (row.next()) {
                rows.add(row.getString(1) + "=" + row.getString(2) + "@" + row.getLong(3));
            }
        }
        return rows;
    }

    private long storedOffset() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT next_offset FROM concord_replica_offset")) {
            row.next();
            return row.getLong(1);
        }
    }
}
