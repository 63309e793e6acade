package dev.concord.replica.jdbc;

import dev.concord.domain.Address;
import dev.concord.domain.Customer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.sql.Statement;

/** A team's typed projection, as a test writes it: customers in a table of their own, with real columns. */
public final class CustomersTable extends TableProjection<Customer> {

    // name varchar(40): a test's way to have the database refuse one record for its data
    public static final String DDL = """
            CREATE TABLE customers (
                id      text PRIMARY KEY,
                name    varchar(40) NOT NULL,
                email   text NOT NULL,
                tier    text NOT NULL,
                city    text,
                version bigint NOT NULL
            )""";

    public static void create(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(DDL);
        }
    }

    /** The same rows, declared by their columns, the table's version column guarding them. */
    public static ColumnProjection<Customer> declaredWithItsVersionColumn() {
        return ColumnProjection.<Customer>into("customers", "id")
                .field("name", ColumnType.TEXT, "name")
                .field("email", ColumnType.TEXT, "email")
                .field("tier", ColumnType.TEXT, "tier")
                .field("city", ColumnType.TEXT, "address.city")
                .version("version")
                .build();
    }

    public CustomersTable() {
        super("customers", "id");
    }

    @Override
    public void upsertAll(Connection tx, List<EntityChange<Customer>> changes) throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                INSERT INTO customers (id, name, email, tier, city, version) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, tier = EXCLUDED.tier,
                                               city = EXCLUDED.city, version = EXCLUDED.version""")) {
            for (EntityChange<Customer> change : changes) {
                Customer customer = change.value();
                Address address = customer.getAddress();
                upsert.setString(1, change.id());
                upsert.setString(2, customer.getName());
                upsert.setString(3, customer.getEmail());
                upsert.setString(4, customer.getTier().name());
                upsert.setString(5, address == null ? null : address.getCity());
                upsert.setLong(6, change.version());
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }
}
