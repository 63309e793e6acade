package dev.concord.local.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A runnable module of this repository, started from its build output: the module's jar plus the
 * runtime classpath Maven wrote to {@code target/classpath.txt} at {@code package}. No fat jar needed.
 */
public enum ConcordModule {
    KAFKA("kafka", "deploy/local-kafka", "concord-local-kafka", "dev.concord.local.kafka.LocalKafkaMain"),
    POSTGRES("postgres", "deploy/local-postgres", "concord-local-postgres", "dev.concord.local.postgres.LocalPostgresMain"),
    /** MirrorMaker 2 between regions (docs/multi-region.md), on its own Kafka 4.3 classpath. */
    MIRROR("mirror", "deploy/local-mirror", "concord-local-mirror", "dev.concord.local.mirror.LocalMirrorMain"),
    SYNC_PROCESSOR("sync-processor", "sync-processor", "concord-sync-processor", "dev.concord.processor.ProcessorApplication"),
    PRODUCER("producer-service", "producer-service", "concord-producer-service", "dev.concord.producer.ProducerApplication"),
    CONSUMER("consumer-service", "consumer-service", "concord-consumer-service", "dev.concord.consumer.ConsumerApplication"),
    /** Not part of Concord: Kafka Connect with the Debezium JDBC sink, the benchmark's comparison for the replica kit. */
    CONNECT_JDBC_SINK("connect-jdbc-sink", "bench/connect-jdbc-sink", "concord-bench-connect-jdbc-sink",
            "org.apache.kafka.connect.cli.ConnectStandalone");

    final String processName;
    final String directory;
    final String artifactId;
    final String mainClass;

    ConcordModule(String processName, String directory, String artifactId, String mainClass) {
        this.processName = processName;
        this.directory = directory;
        this.artifactId = artifactId;
        this.mainClass = mainClass;
    }

    /** The module's jar and its dependencies, or a clear error telling how to build them. */
    public String classpath(Path repositoryRoot) {
        Path target = repositoryRoot.resolve(directory).resolve("target");
        Path classpathFile = target.resolve("classpath.txt");
        try (Stream<Path> files = Files.list(target)) {
            Path jar = files.filter(f -> f.getFileName().toString().matches(artifactId + "-[^-]+.*(?<!-sources|-tests)\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> notBuilt(target));
            if (!Files.exists(classpathFile)) {
                throw notBuilt(target);
            }
            return jar + java.io.File.pathSeparator + Files.readString(classpathFile).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(notBuilt(target).getMessage(), e);
        }
    }

    /** Starts this module's main class as its own JVM, output to {@code log}. */
    public ManagedProcess launch(Path repositoryRoot, String javaOptions, Map<String, String> environment, Path log,
                                 Predicate<String> lineToAwait, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(javaOptions.trim().split("\\s+")));
        command.add("-cp");
        command.add(classpath(repositoryRoot));
        command.add(mainClass);
        command.addAll(Arrays.asList(args));
        return ManagedProcess.start(processName, command, environment, log, lineToAwait);
    }

    public String processName() {
        return processName;
    }

    private IllegalStateException notBuilt(Path target) {
        return new IllegalStateException(processName + " is not built (" + target
                + " lacks its jar or classpath.txt): run `mvn -DskipTests package` at the repository root");
    }
}
