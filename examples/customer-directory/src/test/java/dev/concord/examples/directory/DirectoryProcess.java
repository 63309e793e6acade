package dev.concord.examples.directory;

import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.PostgresExtension;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The directory as its own JVM (the test's classpath), so that a test can kill it with SIGKILL. */
final class DirectoryProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;

    private DirectoryProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * What every test's directory is given: its database, the type it replicates under its declaration, and the broker.
     */
    static Map<String, String> settings(String jdbcUrl, String type, String declaration) {
        return Map.of(
                "datasources.default.url", jdbcUrl,
                "datasources.default.username", PostgresExtension.USER,
                "datasources.default.password", PostgresExtension.PASSWORD,
                "directory.type", type,
                "concord.replica-kit.name", "directory-" + type,
                "concord.replica-kit.types", declaration,
                "concord.replica-kit.kafka.bootstrap.servers", KafkaBrokerExtension.bootstrapServers());
    }

    /** {@link #settings} and more. */
    static Map<String, String> settings(String jdbcUrl, String type, String declaration, Map<String, String> more) {
        Map<String, String> all = new java.util.HashMap<>(settings(jdbcUrl, type, declaration));
        all.putAll(more);
        return all;
    }

    /** @param properties Micronaut properties, passed as system properties */
    static DirectoryProcess start(Map<String, String> properties) {
        try {
            int port = freePort();
            Path log = Files.createTempFile("customer-directory", ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-cp", directoryClasspath(), "-Dmicronaut.server.port=" + port));
            properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.add(CustomerDirectoryApplication.class.getName());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new DirectoryProcess(process, log, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no last commit; whatever transaction was open is lost. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }

    /**
     * The test's classpath without sync-processor, which the crash test runs in its own JVM: sync-processor is a
     * Micronaut application too, and its beans would start in the directory's context.
     */
    private static String directoryClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("sync-processor"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
