package dev.concord.bench.measure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.bench.BenchEnvironment;
import dev.concord.contract.AvroTrust;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.local.stack.ConcordModule;
import dev.concord.local.stack.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What a team would run instead of the replica kit: Kafka Connect standalone with the Debezium JDBC sink connector,
 * upserting the same state topic into the same rows of the same PostgreSQL (module {@code bench/connect-jdbc-sink},
 * its own process and classpath). Tuned as the kit is: 2,000 records per poll and per batch, one task, read
 * committed. It guards nothing: no version check (an older state replayed overwrites a newer row) and its offsets
 * live in Kafka, committed after the rows (at least once).
 */
final class ConnectJdbcSinkApply {

    private static final int RECORDS_PER_BATCH = 2_000;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchEnvironment env;

    ConnectJdbcSinkApply(BenchEnvironment env) {
        this.env = env;
    }

    /** @param applyRate rows per second between the first and the last applied row, measured as the kit's is */
    record Result(double applyRate, double launchToAllRowsSeconds) {
    }

    Result run(EntityType type, int entities) throws Exception {
        String name = "connect_" + type.name().replace('-', '_');
        String url = env.newDatabase(name);
        try (Connection db = env.connect(url); Statement ddl = db.createStatement()) {
            EntityTable.create(db);
            ddl.execute("ALTER TABLE entity ALTER COLUMN applied_at SET DEFAULT now()");
        }
        Path dir = Files.createDirectories(env.workDir().resolve(name));
        URI rest = URI.create("http://127.0.0.1:" + BenchEnvironment.freePort());
        Path worker = write(dir.resolve("worker.properties"), Map.of(
                "bootstrap.servers", env.bootstrapServers(),
                "listeners", rest.toString(),
                "offset.storage.file.filename", dir.resolve("offsets").toString(),
                "key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
                "value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
                "consumer.max.poll.records", String.valueOf(RECORDS_PER_BATCH),
                "consumer.isolation.level", "read_committed"));
        Path sink = write(dir.resolve("jdbc-sink.properties"), Map.ofEntries(
                Map.entry("name", name),
                Map.entry("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"),
                Map.entry("tasks.max", "1"),
                Map.entry("topics", TopicNames.state(type.name())),
                Map.entry("connection.url", url),
                Map.entry("connection.username", "postgres"),
                Map.entry("connection.password", "postgres"),
                Map.entry("insert.mode", "upsert"),
                Map.entry("delete.enabled", "true"),
                Map.entry("primary.key.mode", "record_key"),
                Map.entry("schema.evolution", "none"),
                Map.entry("collection.name.format", "entity"),
                Map.entry("batch.size", String.valueOf(RECORDS_PER_BATCH)),
                Map.entry("key.converter", "dev.concord.bench.connect.StateKeyConverter"),
                Map.entry("value.converter", "dev.concord.bench.connect.StateValueConverter"),
                Map.entry("value.converter.bootstrap.servers", env.bootstrapServers()),
                Map.entry("value.converter.concord.types", env.declarationFor(type).toString())));
        long launched = System.nanoTime();
        try (ManagedProcess connect = ConcordModule.CONNECT_JDBC_SINK.launch(env.repositoryRoot(),
                env.childJavaOptions("-Xmx768m -XX:+UseParallelGC -D" + AvroTrust.PROPERTY + "=" + AvroTrust.CONCORD_PACKAGES, name), Map.of(),
                env.workDir().resolve("logs").resolve(name + ".log"), line -> false,
                worker.toString(), sink.toString());
             Connection db = env.connect(url)) {
            Waiting.until("the Debezium JDBC sink to write " + entities + " rows", Duration.ofMinutes(15), () -> {
                if (!connect.isAlive()) {
                    throw new IllegalStateException("Kafka Connect exited:\n" + connect.logTail(40));
                }
                failedTask(rest, name).ifPresent(trace -> {
                    throw new IllegalStateException("the Debezium JDBC sink's task failed: " + trace);
                });
                try {
                    return count(db) >= entities;
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot count the sink's rows", e);
                }
            });
            double launchToAllRows = (System.nanoTime() - launched) / 1e9;
            return new Result(EntityTable.applyRate(db), launchToAllRows);
        }
    }

    /** The trace of a failed task, from Connect's REST API; empty while it runs or before the API answers. */
    private static Optional<String> failedTask(URI rest, String connector) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(rest.resolve("/connectors/" + connector + "/status")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            for (JsonNode task : JSON.readTree(response.body()).path("tasks")) {
                if ("FAILED".equals(task.path("state").asText())) {
                    return Optional.of(task.path("trace").asText());
                }
            }
            return Optional.empty();
        } catch (IOException notUpYet) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long count(Connection db) throws SQLException {
        try (Statement sql = db.createStatement(); ResultSet rs = sql.executeQuery("SELECT count(*) FROM entity")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Path write(Path file, Map<String, String> properties) {
        StringBuilder text = new StringBuilder();
        properties.forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
