package dev.concord.examples.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A table that does not fit the schema stops the directory at start-up, naming the column, before it applies anything. */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class CustomerDirectoryTableCheckTest {

    @Test
    void shouldRefuseToStartOnATableMissingAColumnTheProjectionFills() throws Exception {
        // Given the directory's schema migrated, then a column dropped by hand (a migration gone wrong)
        TestTypes types = TestTypes.declare(1, "shape");
        String jdbcUrl = PostgresExtension.createDatabase();
        Flyway.configure().dataSource(jdbcUrl, PostgresExtension.USER, PostgresExtension.PASSWORD).locations("classpath:db/directory").load().migrate();
        try (Connection db = DriverManager.getConnection(jdbcUrl); Statement sql = db.createStatement()) {
            sql.execute("ALTER TABLE customers DROP COLUMN city");
        }

        // When it starts
        try (DirectoryProcess directory = DirectoryProcess.start(DirectoryProcess.settings(jdbcUrl, types.name(0), types.location()))) {

            // Then it stops, and says which column and field
            await().atMost(Duration.ofSeconds(60)).until(() -> !directory.alive());
            assertThat(directory.logTail()).contains("column customers.city is missing (field 'address.city', optional string)");
        }
    }
}
