package dev.concord.bench.measure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.bench.BenchEnvironment;
import dev.concord.bench.oracle.ReplicaRow;
import dev.concord.contract.types.EntityType;
import dev.concord.local.stack.ConcordModule;
import dev.concord.local.stack.HealthProbe;
import dev.concord.local.stack.ManagedProcess;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** A consumer-service replica as its own process, on its own database in the benchmark's PostgreSQL. */
final class ReplicaProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchEnvironment env;
    private final EntityType type;
    private final String jdbcUrl;
    private final ManagedProcess process;
    private final int port;
    private final long launchedNanos = System.nanoTime();
    private final String name;
    private final String group;

    /** A replica on a database of its own, in a consumer group of its own. */
    ReplicaProcess(BenchEnvironment env, EntityType type, String name) {
        this(env, type, name, env.newDatabase(name.replace('-', '_')), "bench-" + UUID.randomUUID());
    }

    /** One instance of a replica: instances given the same database and group share the work on one store. */
    ReplicaProcess(BenchEnvironment env, EntityType type, String name, String jdbcUrl, String group) {
        this(env, type, name, jdbcUrl, group, Map.of());
    }

    /** @param settings further environment of the service, e.g. {@code CONCORD_KAFKA_SESSION_TIMEOUT_MS} */
    ReplicaProcess(BenchEnvironment env, EntityType type, String name, String jdbcUrl, String group, Map<String, String> settings) {
        this.env = env;
        this.type = type;
        this.jdbcUrl = jdbcUrl;
        this.port = BenchEnvironment.freePort();
        this.name = name;
        this.group = group;
        Map<String, String> environment = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", env.bootstrapServers()));
        environment.putAll(settings); // may name another way to the broker (the environment's TCP proxy)
        environment.putAll(Map.of(
                "PORT", String.valueOf(port),
                "CONCORD_TYPES", env.declarationFor(type).toString(),
                "CONCORD_JDBC_URL", jdbcUrl,
                "CONCORD_DEV_API_KEY", BenchEnvironment.DEV_KEY,
                "CONCORD_REPLICA_GROUP", group));
        this.process = ConcordModule.CONSUMER.launch(env.repositoryRoot(), env.childJavaOptions("-Xmx768m -XX:+UseParallelGC", name),
                environment, env.workDir().resolve("logs").resolve(name + ".log"), line -> false);
    }

    /** Where this replica's HTTP API answers. */
    URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    void awaitHealthy() {
        HealthProbe.await(process, URI.create("http://localhost:" + port + "/health"), Duration.ofMinutes(2));
    }

    Duration sinceLaunch() {
        return Duration.ofNanos(System.nanoTime() - launchedNanos);
    }

    /** Waits until the replica's stored offsets reach the given total ({@link Topics#totalNextRecordOffset}: it has applied everything). */
    void awaitConsumed(long totalNextOffsets, Duration timeout) {
        Waiting.until("replica to consume up to offset total " + totalNextOffsets, timeout, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("replica exited:\n" + process.logTail(30));
            }
            return query("SELECT coalesce(sum(next_offset), 0) FROM consumed_offset") >= totalNextOffsets;
        });
    }

    long rows() {
        return query("SELECT count(*) FROM entity WHERE entity_type = '" + type.name() + "'");
    }

    /** Rows applied per second between the first and the last applied row. */
    double applyRate() {
        try (Connection db = env.connect(jdbcUrl)) {
            return EntityTable.applyRate(db);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** When each entity was applied, in epoch milliseconds. */
    Map<String, Long> appliedAtMillis() {
        Map<String, Long> applied = new HashMap<>();
        try (Connection db = env.connect(jdbcUrl); Statement sql = db.createStatement();
             ResultSet rs = sql.executeQuery("SELECT entity_id, (extract(epoch from applied_at) * 1000)::bigint FROM entity")) {
            while (rs.next()) {
                applied.put(rs.getString(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return applied;
    }

    Map<String, ReplicaRow> table() {
        Map<String, ReplicaRow> rows = new HashMap<>();
        try (Connection db = env.connect(jdbcUrl); Statement sql = db.createStatement();
             ResultSet rs = sql.executeQuery("SELECT entity_id, version, deleted, data::text FROM entity WHERE entity_type = '"
                     + type.name() + "'")) {
            while (rs.next()) {
                String data = rs.getString(4);
                rows.put(rs.getString(1), new ReplicaRow(rs.getString(1), rs.getLong(2), rs.getBoolean(3),
                        data == null ? null : JSON.readTree(data)));
            }
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    String jdbcUrl() {
        return jdbcUrl;
    }

    private long query(String sqlText) {
        try (Connection db = env.connect(jdbcUrl); Statement sql = db.createStatement(); ResultSet rs = sql.executeQuery(sqlText)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException notReadyYet) {
            return -1;  // the replica creates its tables at start-up
        }
    }

    /** Stops the replica; when profiling, returns the summary of its flight recording. */
    java.util.Optional<String> stopAndProfile() {
        process.close();
        return env.profileDirectory().map(dir -> {
            try {
                return dev.concord.bench.report.Profiler.summarize(dir.resolve(name + ".jfr"));
            } catch (java.io.IOException e) {
                return "(no recording: " + e.getMessage() + ")";
            }
        });
    }

    /** SIGKILL: the batch in flight is rolled back by PostgreSQL; a restart resumes from the stored offsets. */
    void kill() {
        process.kill();
    }

    String group() {
        return group;
    }

    @Override
    public void close() {
        process.close();
    }
}
