package dev.concord.local.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * PostgreSQL with the local stack's sample sources, as its own process, and a way to run SQL there without a psql:
 * <pre>
 *   serve --data-dir DIR --outbox-ddl FILE --sources-file FILE   start, install {@link SampleSources}, write where
 *                                                                 each database is, print SOURCES_READY, run until stopped
 *   sql legacy|app "STATEMENTS" [--sources-file FILE]            run statements there (one string: several separated
 *                                                                 by ';', BEGIN ... ROLLBACK included); print what a query returns
 * </pre>
 * The sources file defaults to {@code <concord.home>/run/sources.properties}, where {@code ./concord up --sources} writes it.
 */
public final class LocalPostgresMain {

    static final String READY = "SOURCES_READY";

    private LocalPostgresMain() {
    }

    public static void main(String[] args) throws Exception {
        // Before the first logger: this jar's quiet configuration, not whatever logback.xml a classpath holds.
        System.setProperty("logback.configurationFile", System.getProperty("logback.configurationFile",
                "concord-local-postgres-logback.xml"));
        if (args.length >= 1 && args[0].equals("serve")) {
            serve(option(args, "--data-dir"), option(args, "--outbox-ddl"), option(args, "--sources-file"));
        } else if (args.length >= 3 && args[0].equals("sql")) {
            String file = args.length >= 5 && args[3].equals("--sources-file") ? args[4] : defaultSourcesFile();
            System.exit(sql(Path.of(file), args[1], args[2]));
        } else {
            System.err.println("usage: serve --data-dir DIR --outbox-ddl FILE --sources-file FILE | sql legacy|app \"STATEMENTS\"");
            System.exit(2);
        }
    }

    private static void serve(String dataDir, String outboxDdl, String sourcesFile) throws Exception {
        LogicalReplicationPostgres postgres = LogicalReplicationPostgres.start(Path.of(dataDir));
        Path sources = Path.of(sourcesFile);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(sources);
            } catch (IOException ignored) {
                // the next start overwrites it
            }
            postgres.close();
            stopped.countDown();
        }, "postgres-stop"));
        SampleSources.install(postgres, Files.readString(Path.of(outboxDdl)));
        Properties where = new Properties();
        where.setProperty(SampleSources.LEGACY, postgres.jdbcUrl(SampleSources.LEGACY));
        where.setProperty(SampleSources.APP, postgres.jdbcUrl(SampleSources.APP));
        Files.createDirectories(sources.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(sources)) {
            where.store(out, "the local stack's sample sources (./concord up --sources); ./concord sql reads this");
        }
        System.out.println(READY + " " + SampleSources.LEGACY + "=" + where.getProperty(SampleSources.LEGACY)
                + " " + SampleSources.APP + "=" + where.getProperty(SampleSources.APP));
        System.out.flush();
        stopped.await();
    }

    /** @return the exit status: 0, or 1 when the database refused the statements */
    static int sql(Path sourcesFile, String database, String statements) throws IOException {
        if (!Files.exists(sourcesFile)) {
            System.err.println("No sample sources are running (" + sourcesFile + " is missing): start them with ./concord up --sources");
            return 1;
        }
        Properties where = new Properties();
        try (InputStream in = Files.newInputStream(sourcesFile)) {
            where.load(in);
        }
        String url = where.getProperty(database);
        if (url == null) {
            System.err.println("No database '" + database + "' among the sample sources: " + where.stringPropertyNames());
            return 1;
        }
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            boolean rows = s.execute(statements);
            while (true) {
                if (rows) {
                    try (ResultSet result = s.getResultSet()) {
                        print(result);
                    }
                } else if (s.getUpdateCount() == -1) {
                    break;
                } else if (s.getUpdateCount() > 0) {
                    System.out.println(s.getUpdateCount() + " row(s)");
                }
                rows = s.getMoreResults();
            }
            System.out.println("OK (" + database + ")");
            return 0;
        } catch (SQLException e) {
            System.err.println(database + " refused it: " + e.getMessage());
            return 1;
        }
    }

    private static void print(ResultSet result) throws SQLException {
        ResultSetMetaData meta = result.getMetaData();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            names.add(meta.getColumnLabel(i));
        }
        System.out.println(String.join(" | ", names));
        while (result.next()) {
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                values.add(String.valueOf(result.getObject(i)));
            }
            System.out.println(String.join(" | ", values));
        }
    }

    private static String defaultSourcesFile() {
        return Path.of(System.getProperty("concord.home", "."), "run", "sources.properties").toString();
    }

    private static String option(String[] args, String name) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        throw new IllegalArgumentException("missing " + name);
    }
}
