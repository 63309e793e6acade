package dev.concord.replica.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.Replica;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;

/** The kit in a team's service: a typed projection on a real broker and a real PostgreSQL. */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReplicaKitTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final TestTypes types = TestTypes.declare(3, "kit");
    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
    private StatePublisher publisher;
    private CustomerStates customers;
    private Replica replica;

    @BeforeEach
    void tablesAndTopics() throws SQLException {
        dataSource.setURL(PostgresExtension.createDatabase());
        try (Connection connection = dataSource.getConnection()) {
            CustomersTable.create(connection);
        }
        publisher = StatePublisher.connect(KafkaBrokerExtension.bootstrapServers(), types);
        customers = publisher.states(types.name(0));
    }

    @AfterEach
    void close() throws Exception {
        if (replica != null) {
            replica.close();
        }
        publisher.close();
    }

    /** Where the versions that keep the replica from going backwards are kept. */
    enum Guard {
        /** the kit's guard table, beside a hand-written projection */
        KIT_TABLE,
        /** the team's table's own version column (a ColumnProjection with a version column): the kit keeps deletions only */
        VERSION_COLUMN
    }

    private Guard guard = Guard.KIT_TABLE;

    @ParameterizedTest
    @EnumSource(Guard.class)
    void shouldBootstrapTypedRowsAndNeverGoBackwardsOrResurrect(Guard guard) throws Exception {
        this.guard = guard;
        // Given states as the processor publishes them, some out of order, a delete and an older state after it
        publish("c-1", customers.live("c-1", 1, "Ada"));
        publish("c-1", customers.live("c-1", 3, "Ada Lovelace"));
        publish("c-1", customers.live("c-1", 2, "Stale"));
        publish("c-2", customers.live("c-2", 1, "Grace"));
        publish("c-3", customers.live("c-3", 4, "Edsger"));
        publish("c-3", customers.deleted("c-3", 5));
        publish("c-3", customers.live("c-3", 4, "Resurrected"));

        // When
        replica = start();

        // Then
        await().atMost(WAIT).until(replica::caughtUp);
        assertThat(rows()).containsExactly(Map.entry("c-1", "Ada Lovelace@3"), Map.entry("c-2", "Grace@1"));
        assertThat(replica.status().applying()).isTrue();

        if (guard == Guard.VERSION_COLUMN) {
            // one write per live row: the kit kept only the deletion
            assertThat(query("SELECT entity_id || '@' || version FROM concord_replica_version")).containsExactly("c-3@5");
        }

        // And an older deletion or state changes nothing, an older state does not bring a deleted entity back (each
        // read in a later batch than what it is older than), only a newer version does
        awaitApplied(publish("c-1", customers.deleted("c-1", 2)));
        awaitApplied(publish("c-1", customers.live("c-1", 2, "Stale later")));
        awaitApplied(publish("c-3", customers.live("c-3", 4, "Resurrected later")));
        assertThat(rows()).containsExactly(Map.entry("c-1", "Ada Lovelace@3"), Map.entry("c-2", "Grace@1"));
        publish("c-3", customers.live("c-3", 6, "Edsger again"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(rows()).containsExactly(
                Map.entry("c-1", "Ada Lovelace@3"), Map.entry("c-2", "Grace@1"), Map.entry("c-3", "Edsger again@6")));

        // And later changes keep applying, a Kafka tombstone included
        publish("c-2", customers.live("c-2", 2, "Grace Hopper"));
        publish("c-1", null);
        await().atMost(WAIT).untilAsserted(() -> assertThat(rows()).containsExactly(
                Map.entry("c-2", "Grace Hopper@2"), Map.entry("c-3", "Edsger again@6")));
    }

    @ParameterizedTest
    @EnumSource(Guard.class)
    void shouldDeadLetterARecordItsProjectionRefusesAndApplyTheOthers(Guard guard) throws Exception {
        this.guard = guard;
        publish("c-1", customers.live("c-1", 1, "A name far longer than the forty characters the table allows"));
        publish("c-2", customers.live("c-2", 1, "Fine"));

        replica = start();

        await().atMost(WAIT).until(replica::caughtUp);
        assertThat(rows()).containsExactly(Map.entry("c-2", "Fine@1"));
        assertThat(query("SELECT entity_id || ' v' || version || ': ' || reason FROM concord_replica_dead_letter"))
                .singleElement().asString().startsWith("c-1 v1: the projection refused it").contains("22001");
        assertThat(replica.deadLetters().count()).isEqualTo(1);

        // And the entity's next state, one the table takes, applies
        publish("c-1", customers.live("c-1", 2, "Shorter"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(rows()).containsEntry("c-1", "Shorter@2"));
    }

    @ParameterizedTest
    @EnumSource(Guard.class)
    void shouldResumeFromItsStoredOffsetsAfterAStopMidStreamAndEndIdenticalToTheTopicWithSeveralAppliers(Guard guard) throws Exception {
        this.guard = guard;
        // Given a stream of 3,000 states over 300 customers, and a replica stopped while it applies them
        for (int version = 1; version <= 10; version++) {
            for (int id = 0; id < 300; id++) {
                publisher.send(types.name(0), "c-" + id, customers.live("c-" + id, version, "Name " + id + " v" + version));
            }
        }
        publisher.flush();
        replica = start(Map.of("max.poll.records", 100), 3);
        await().atMost(WAIT).until(() -> count("concord_replica_offset") > 0);
        replica.close();

        // When it starts again, with three appliers sharing the partitions
        replica = start(Map.of("max.poll.records", 100), 3);

        // Then every customer is at its last version, once
        await().atMost(WAIT).until(replica::caughtUp);
        Map<String, String> expected = new TreeMap<>();
        for (int id = 0; id < 300; id++) {
            expected.put("c-" + id, "Name " + id + " v10@10");
        }
        assertThat(rows()).isEqualTo(expected);
    }

    @Test
    void shouldRebuildItsTablesFromTheTopicsOnRequest() throws Exception {
        publish("c-1", customers.live("c-1", 1, "Ada"));
        publish("c-2", customers.live("c-2", 7, "Grace"));
        replica = start();
        await().atMost(WAIT).until(replica::caughtUp);
        // Rows changed behind the replica's back (a manual fix gone wrong)
        execute("UPDATE customers SET name = 'Wrong'");
        execute("DELETE FROM customers WHERE id = 'c-2'");

        replica.rebootstrap();

        await().atMost(WAIT).until(replica::caughtUp);
        assertThat(rows()).containsExactly(Map.entry("c-1", "Ada@1"), Map.entry("c-2", "Grace@7"));
    }

    private Replica start() {
        return start(Map.of());
    }

    private Replica start(Map<String, Object> consumer) {
        return start(consumer, 1);
    }

    private Replica start(Map<String, Object> consumer, int appliers) {
        return Replica.builder()
                .appliers(appliers)
                .name("kit-test-" + types.name(0))
                .kafka(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()))
                .consumer(consumer)
                .types(EntityTypes.load(types.location()))
                .dataSource(dataSource)
                .project(types.name(0), dev.concord.domain.Customer.class,
                        guard == Guard.KIT_TABLE ? new CustomersTable() : CustomersTable.declaredWithItsVersionColumn())
                .start();
    }

    private org.apache.kafka.clients.producer.RecordMetadata publish(String id, dev.concord.contract.avro.EntityState state) {
        return publisher.publish(types.name(0), id, state);
    }

    /** Until the replica has committed the record's batch (its stored offset is past the record). */
    private void awaitApplied(org.apache.kafka.clients.producer.RecordMetadata record) {
        await().atMost(WAIT).until(() -> !query("SELECT 1 FROM concord_replica_offset WHERE topic = '" + record.topic()
                + "' AND partition = " + record.partition() + " AND next_offset > " + record.offset()).isEmpty());
    }

    /** id -> "name@version" */
    private Map<String, String> rows() throws SQLException {
        Map<String, String> rows = new TreeMap<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT id, name, version FROM customers")) {
            while (row.next()) {
                rows.put(row.getString(1), row.getString(2) + "@" + row.getLong(3));
            }
        }
        return rows;
    }

    private java.util.List<String> query(String sql) throws SQLException {
        java.util.List<String> values = new java.util.ArrayList<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            while (row.next()) {
                values.add(row.getString(1));
            }
        }
        return values;
    }

    private long count(String table) throws SQLException {
        return Long.parseLong(query("SELECT count(*) FROM " + table).get(0));
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
