package dev.concord.replica.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/** A projection declared by its columns, on a real PostgreSQL: one statement per batch, every column type, fixed keys. */
@ExtendWith(PostgresExtension.class)
class ColumnProjectionTest {

    private record Account(String owner, int seats, boolean active, double balance, String settingsJson, String plan) {
    }

    private static final Instant UPDATED = Instant.parse("2026-11-30T10:15:30.123Z");

    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();

    private final ColumnProjection<Account> accounts = ColumnProjection.<Account>into("accounts", "id")
            .column("owner", ColumnType.TEXT, change -> change.value().owner())
            .column("seats", ColumnType.INTEGER, change -> change.value().seats())
            .column("active", ColumnType.BOOLEAN, change -> change.value().active())
            .column("balance", ColumnType.DOUBLE, change -> change.value().balance())
            .column("settings", ColumnType.JSONB, change -> change.value().settingsJson())
            .column("plan", ColumnType.TEXT, change -> change.value().plan())
            .column("version", ColumnType.BIGINT, EntityChange::version)
            .column("updated_at", ColumnType.TIMESTAMPTZ, EntityChange::updatedAt)
            .build();

    @BeforeEach
    void table() throws SQLException {
        dataSource.setURL(PostgresExtension.createDatabase());
        execute("""
                CREATE TABLE accounts (id text PRIMARY KEY, owner text NOT NULL, seats integer, active boolean, balance double precision,
                                       settings jsonb, plan varchar(8), version bigint NOT NULL, updated_at timestamptz)""");
        execute("CREATE TABLE rows_of_types (entity_type text, entity_id text, label text, PRIMARY KEY (entity_type, entity_id))");
    }

    @Test
    void shouldWriteEveryColumnTypeAndNullsInOneStatementPerBatch() throws SQLException {
        // Given
        List<EntityChange<Account>> batch = List.of(
                change("a-1", 3, new Account("Ada", 5, true, 12.5, "{\"theme\": \"dark\", \"tabs\": [1, 2]}", "team")),
                change("a-2", 1, new Account("Grace", 0, false, -1.25, null, null)));

        // When
        inTransaction(tx -> accounts.upsertAll(tx, batch));

        // Then
        assertThat(query("SELECT id, owner, seats, active, balance, settings->>'theme', settings->'tabs', plan, version, updated_at = '"
                + UPDATED + "'::timestamptz FROM accounts ORDER BY id")).containsExactly(
                "a-1|Ada|5|t|12.5|dark|[1, 2]|team|3|t",
                "a-2|Grace|0|f|-1.25|null|null|null|1|t");
        assertThat(accounts.upsertStatement()).contains("FROM unnest(").doesNotContain("VALUES");
    }

    @Test
    void shouldReplaceARowOnItsKeyAndDeleteAndClearIt() throws SQLException {
        // Given
        inTransaction(tx -> accounts.upsertAll(tx, List.of(change("a-1", 1, new Account("Ada", 1, true, 0, null, "free")),
                change("a-2", 1, new Account("Grace", 1, true, 0, null, "free")))));

        // When
        inTransaction(tx -> accounts.upsert(tx, change("a-1", 2, new Account("Ada Lovelace", 9, false, 3, "{}", "team"))));

        // Then
        assertThat(query("SELECT id, owner, seats, plan, version FROM accounts ORDER BY id"))
                .containsExactly("a-1|Ada Lovelace|9|team|2", "a-2|Grace|1|free|1");

        // And
        inTransaction(tx -> accounts.delete(tx, "a-1"));
        assertThat(query("SELECT id FROM accounts")).containsExactly("a-2");
        inTransaction(accounts::clear);
        assertThat(query("SELECT id FROM accounts")).isEmpty();
    }

    @Test
    void shouldKeepTheRowsOfEachTypeApartInATableTheyShareThroughAFixedKeyColumn() throws SQLException {
        // Given two types in one table, the same id in both
        ColumnProjection<String> customers = labels("customer");
        ColumnProjection<String> suppliers = labels("supplier");
        inTransaction(tx -> {
            customers.upsertAll(tx, List.of(labelled("x-1", "customer one"), labelled("x-2", "customer two")));
            suppliers.upsertAll(tx, List.of(labelled("x-1", "supplier one")));
        });

        // When
        inTransaction(tx -> customers.upsert(tx, labelled("x-1", "customer one, renamed")));
        inTransaction(tx -> suppliers.delete(tx, "x-1"));

        // Then
        assertThat(query("SELECT entity_type, entity_id, label FROM rows_of_types ORDER BY 1, 2"))
                .containsExactly("customer|x-1|customer one, renamed", "customer|x-2|customer two");

        // And clearing one type leaves the other's rows
        inTransaction(tx -> suppliers.upsert(tx, labelled("x-9", "supplier nine")));
        inTransaction(customers::clear);
        assertThat(query("SELECT entity_type, entity_id FROM rows_of_types")).containsExactly("supplier|x-9");
    }

    @Test
    void shouldBindSeveralFixedColumnsToTheirOwnNamesInUpsertsDeletesAndClearing() throws SQLException {
        // Given one table keyed by tenant, type and id, two projections differing in the tenant only
        execute("CREATE TABLE tenant_rows (tenant text, entity_type text, entity_id text, label text, PRIMARY KEY (tenant, entity_type, entity_id))");
        ColumnProjection<String> north = tenantLabels("north");
        ColumnProjection<String> south = tenantLabels("south");
        inTransaction(tx -> {
            north.upsertAll(tx, List.of(labelled("x-1", "north one"), labelled("x-2", "north two")));
            south.upsertAll(tx, List.of(labelled("x-1", "south one")));
        });

        // When
        inTransaction(tx -> north.delete(tx, "x-1"));

        // Then each value went to its own column, and only north's x-1 is gone
        assertThat(query("SELECT tenant, entity_type, entity_id FROM tenant_rows ORDER BY 1, 3"))
                .containsExactly("north|customer|x-2", "south|customer|x-1");
        inTransaction(south::clear);
        assertThat(query("SELECT tenant, entity_id FROM tenant_rows")).containsExactly("north|x-2");
    }

    @Test
    void shouldQuoteNamesThatAreKeywords() throws SQLException {
        ReplicaTables.createIfAbsent(dataSource); // the kept deletions a version-column upsert consults
        execute("CREATE TABLE \"order\" (id text PRIMARY KEY, \"user\" text, \"end\" timestamptz, version bigint)");
        ColumnProjection<String> orders = ColumnProjection.<String>into("order", "id")
                .column("user", ColumnType.TEXT, EntityChange::value)
                .column("end", ColumnType.TIMESTAMPTZ, change -> UPDATED.toEpochMilli()) // epoch millis, as a generic record has them
                .version("version")
                .build();

        inTransaction(tx -> orders.upsertNewer(tx, "replica", "order", List.of(labelled("o-1", "ada"))));
        inTransaction(tx -> orders.delete(tx, "o-2"));

        assertThat(query("SELECT id, \"user\", \"end\" = '" + UPDATED + "'::timestamptz, version FROM \"order\""))
                .containsExactly("o-1|ada|t|1");
    }

    @Test
    void shouldFailABatchWithARowTheTableRefusesAsADataExceptionSoTheKitDeadLettersItAlone() {
        // A plan longer than varchar(8): SQLState class 22, which ProjectionSink rewrites record by record
        List<EntityChange<Account>> batch = List.of(change("a-1", 1, new Account("Ada", 1, true, 0, null, "free")),
                change("a-2", 1, new Account("Grace", 1, true, 0, null, "enterprise-plus")));

        assertThatThrownBy(() -> inTransaction(tx -> accounts.upsertAll(tx, batch)))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).startsWith("22");
                    assertThat(ProjectionSink.isRecordError(e)).isTrue();
                });
    }

    @Test
    void shouldRefuseNamesThatAreNotPlainIdentifiersAndAColumnDeclaredTwice() {
        assertThatThrownBy(() -> ColumnProjection.into("accounts; DROP TABLE accounts", "id"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain lower-case SQL identifier");
        assertThatThrownBy(() -> ColumnProjection.<Account>into("accounts", "id").column("Owner\"", ColumnType.TEXT, c -> "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ColumnProjection.<Account>into("accounts", "id").column("id", ColumnType.TEXT, c -> "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declared twice");
    }

    private static ColumnProjection<String> labels(String type) {
        return ColumnProjection.<String>into("rows_of_types", "entity_id")
                .fixed("entity_type", type)
                .column("label", ColumnType.TEXT, EntityChange::value)
                .build();
    }

    private static ColumnProjection<String> tenantLabels(String tenant) {
        return ColumnProjection.<String>into("tenant_rows", "entity_id")
                .fixed("tenant", tenant)
                .fixed("entity_type", "customer")
                .column("label", ColumnType.TEXT, EntityChange::value)
                .build();
    }

    private static EntityChange<String> labelled(String id, String label) {
        return new EntityChange<>("any", id, 1, null, "writer", UPDATED, label);
    }

    private static EntityChange<Account> change(String id, long version, Account account) {
        return new EntityChange<>("account", id, version, null, "writer", UPDATED, account);
    }

    private interface Work {
        void run(Connection tx) throws SQLException;
    }

    private void inTransaction(Work work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            work.run(connection);
            connection.commit();
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private List<String> query(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    values.add(String.valueOf(result.getString(i)));
                }
                rows.add(String.join("|", values));
            }
        }
        return rows;
    }
}
