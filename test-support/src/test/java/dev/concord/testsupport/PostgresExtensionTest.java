package dev.concord.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresExtensionTest {

    @Test
    void eachDatabaseIsFreshAndIsolated() throws Exception {
        String first = PostgresExtension.createDatabase();
        String second = PostgresExtension.createDatabase();
        assertThat(first).startsWith("jdbc:postgresql://").isNotEqualTo(second);

        try (Connection c = DriverManager.getConnection(first); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customer (id int PRIMARY KEY, name text)");
            s.execute("INSERT INTO customer VALUES (1, 'Ada')");
            assertThat(count(s, "SELECT count(*) FROM customer")).isEqualTo(1);
        }
        try (Connection c = DriverManager.getConnection(second); Statement s = c.createStatement()) {
            assertThat(count(s, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).isZero();
        }
    }

    @Test
    void runsWithLogicalWalForChangeDataCapture() throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresExtension.createDatabase(), PostgresExtension.USER, PostgresExtension.PASSWORD);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW wal_level")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("logical");
        }
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
