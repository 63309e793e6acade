package dev.concord.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local stack starts LocalKafkaMain as a process and parses its stdout: check that contract end to end. */
class LocalKafkaMainTest {

    @Test
    void printsBootstrapLineAndStopsCleanlyOnSigterm(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("kafka-data");
        Path stderr = tmp.resolve("stderr.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                LocalKafkaMain.class.getName(), "--data-dir", dataDir.toString(), "--port", "0")
                .redirectError(stderr.toFile())
                .start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(120, TimeUnit.SECONDS);
            assertThat(line).as("stdout (stderr: %s)", tail(stderr)).matches("KAFKA_BOOTSTRAP_SERVERS=localhost:\\d+");

            String bootstrap = line.substring(line.indexOf('=') + 1);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
            }
            assertThat(dataDir.resolve("meta.properties")).exists();

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
            assertThat(Files.readString(stderr)).as("shutdown hook closed the broker").contains("stopped in");
        } finally {
            process.destroyForcibly();
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tail(Path file) throws Exception {
        if (!Files.exists(file)) {
            return "";
        }
        String s = Files.readString(file);
        return s.substring(Math.max(0, s.length() - 4000));
    }
}
