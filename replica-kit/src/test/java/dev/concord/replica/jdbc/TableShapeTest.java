package dev.concord.replica.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.domain.Customer;
import dev.concord.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A team's table against the type's schema, on a real PostgreSQL: what the replica says at start-up. */
@ExtendWith(PostgresExtension.class)
class TableShapeTest {

    private Connection connection;

    @BeforeEach
    void database() throws SQLException {
        connection = DriverManager.getConnection(PostgresExtension.createDatabase());
    }

    @Test
    void shouldAcceptATableThatFitsTheSchema() throws SQLException {
        execute("CREATE TABLE customers (id text PRIMARY KEY, name text NOT NULL, tier varchar(10) NOT NULL, city text, "
                + "opt_in boolean NOT NULL, address jsonb)");

        assertThat(shape().problems(connection, Customer.getClassSchema())).isEmpty();
    }

    @Test
    void shouldNameEachColumnThatIsMissingMistypedOrTooStrictAndEachFieldTheSchemaLacks() throws SQLException {
        execute("CREATE TABLE customers (id text PRIMARY KEY, tier integer NOT NULL, city text NOT NULL, opt_in boolean NOT NULL, address jsonb)");

        assertThat(shape().column("nickname", "nickname").problems(connection, Customer.getClassSchema())).containsExactly(
                "column customers.name is missing (field 'name', string)",
                "column customers.tier is integer, which cannot hold field 'tier' (enum; expected one of [character, character varying, text])",
                "column customers.city is NOT NULL, but field 'address.city' may be null",
                "column customers.nickname is filled from field 'nickname', which Customer's schema does not have");
    }

    @Test
    void shouldSayWhenTheTableIsNotThere() throws SQLException {
        assertThat(shape().problems(connection, Customer.getClassSchema())).containsExactly(
                "table customers does not exist (in the connection's schema search path)");
    }

    private static TableShape shape() {
        return TableShape.of("customers").column("name", "name").column("tier", "tier").column("city", "address.city")
                .column("opt_in", "marketingOptIn").column("address", "address");
    }

    private void execute(String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
