package dev.concord.local.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The two databases a newcomer writes to in {@code ./concord up --sources}, one per way a service's data reaches
 * Concord without calling its API:
 * <ul>
 *   <li>{@code legacy}: a table {@code customers} that knows nothing of Concord, under change data capture
 *       (producer-service reads its changes from the write-ahead log: {@code CONCORD_CDC_TABLES=public.customers=customer});</li>
 *   <li>{@code app}: a table {@code accounts} whose trigger writes each change to the transactional outbox in the
 *       same transaction ({@code concord_outbox_capture('customer', 'id')}), which producer-service relays.</li>
 * </ul>
 * Both tables have the customer type's columns, so their rows become customers. Idempotent: a restart keeps the data.
 */
final class SampleSources {

    static final String LEGACY = "legacy";
    static final String APP = "app";

    private static final String CUSTOMERS = """
            CREATE TABLE IF NOT EXISTS customers (
                id    text PRIMARY KEY,
                name  text NOT NULL,
                email text NOT NULL,
                phone text
            )""";
    private static final String ACCOUNTS = CUSTOMERS.replace("customers", "accounts");
    private static final String CAPTURE = """
            DROP TRIGGER IF EXISTS accounts_to_concord ON accounts;
            CREATE TRIGGER accounts_to_concord AFTER INSERT OR UPDATE OR DELETE ON accounts
                FOR EACH ROW EXECUTE FUNCTION concord_outbox_capture('customer', 'id')""";

    private SampleSources() {
    }

    /**
     * @param outboxDdl the outbox's DDL (producer-service's {@code db/concord-outbox/V1__concord_outbox.sql}): the
     *                  trigger needs its capture function before producer-service starts
     */
    static void install(LogicalReplicationPostgres postgres, String outboxDdl) throws SQLException {
        execute(postgres.createDatabase(LEGACY), CUSTOMERS);
        String app = postgres.createDatabase(APP);
        execute(app, outboxDdl);
        execute(app, ACCOUNTS);
        execute(app, CAPTURE);
    }

    private static void execute(String jdbcUrl, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
