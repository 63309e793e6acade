package dev.concord.examples.directory;

import dev.concord.domain.Address;
import dev.concord.domain.Customer;
import dev.concord.replica.jdbc.EntityChange;
import dev.concord.replica.jdbc.TableProjection;
import dev.concord.replica.jdbc.TableShape;
import dev.concord.replica.jdbc.TypeBinding;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/**
 * Customers into the {@code customers} table, one column per field the directory uses. The kit calls it only with
 * changes newer than what the table holds, in the transaction that also stores its position.
 */
class CustomersProjection extends TableProjection<Customer> {

    CustomersProjection() {
        super("customers", "id");
    }

    private static final String UPSERT = """
            INSERT INTO customers (id, name, email, phone, tier, city, country, marketing_opt_in, version, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, phone = EXCLUDED.phone,
                tier = EXCLUDED.tier, city = EXCLUDED.city, country = EXCLUDED.country,
                marketing_opt_in = EXCLUDED.marketing_opt_in, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at""";

    /** Checked against the table at start-up: a migration that forgot a column stops the service, naming it. */
    @Override
    public Optional<TableShape> shape() {
        return Optional.of(TableShape.of("customers")
                .column("name", "name").column("email", "email").column("phone", "phone").column("tier", "tier")
                .column("city", "address.city").column("country", "address.country").column("marketing_opt_in", "marketingOptIn"));
    }

    /** One batched statement per poll: what makes a bootstrap of a million customers take seconds, not minutes. */
    @Override
    public void upsertAll(Connection tx, List<EntityChange<Customer>> changes) throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement(UPSERT)) {
            for (EntityChange<Customer> change : changes) {
                Customer customer = change.value();
                Address address = customer.getAddress();
                upsert.setString(1, change.id());
                upsert.setString(2, customer.getName());
                upsert.setString(3, customer.getEmail());
                upsert.setString(4, customer.getPhone());
                upsert.setString(5, customer.getTier().name());
                upsert.setString(6, address == null ? null : address.getCity());
                upsert.setString(7, address == null ? null : address.getCountry());
                upsert.setBoolean(8, customer.getMarketingOptIn());
                upsert.setLong(9, change.version());
                upsert.setTimestamp(10, Timestamp.from(change.updatedAt()));
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }

    /** The binding the kit picks up: the type name comes from configuration (the contract calls it customer). */
    @Factory
    static class Binding {

        @Bean
        TypeBinding<Customer> customers(@Value("${directory.type:customer}") String type) {
            return TypeBinding.specific(type, Customer.class, new CustomersProjection());
        }
    }
}
