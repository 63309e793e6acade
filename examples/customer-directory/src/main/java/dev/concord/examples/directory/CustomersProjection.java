package dev.concord.examples.directory;

import dev.concord.domain.Customer;
import dev.concord.replica.jdbc.ColumnProjection;
import dev.concord.replica.jdbc.ColumnType;
import dev.concord.replica.jdbc.EntityChange;
import dev.concord.replica.jdbc.TypeBinding;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;

/**
 * Customers into the {@code customers} table, one column per field the directory uses. The kit calls it only with
 * changes newer than what the table holds, in the transaction that also stores its position, and writes each poll's
 * changes in one statement. The columns filled from fields are checked against the table and the type's schema at
 * start-up: a migration that forgot a column stops the service, naming it.
 */
final class CustomersProjection {

    private CustomersProjection() {
    }

    static ColumnProjection<Customer> create() {
        return ColumnProjection.<Customer>into("customers", "id")
                .field("name", ColumnType.TEXT, "name")
                .field("email", ColumnType.TEXT, "email")
                .field("phone", ColumnType.TEXT, "phone")
                .field("tier", ColumnType.TEXT, "tier")
                .field("city", ColumnType.TEXT, "address.city")
                .field("country", ColumnType.TEXT, "address.country")
                .field("marketing_opt_in", ColumnType.BOOLEAN, "marketingOptIn")
                .version("version")                  // the table guards itself: one write per change
                .column("updated_at", ColumnType.TIMESTAMPTZ, EntityChange::updatedAt)
                .build();
    }

    /** The binding the kit picks up: the type name comes from configuration (the contract calls it customer). */
    @Factory
    static class Binding {

        @Bean
        TypeBinding<Customer> customers(@Value("${directory.type:customer}") String type) {
            return TypeBinding.specific(type, Customer.class, create());
        }
    }
}
