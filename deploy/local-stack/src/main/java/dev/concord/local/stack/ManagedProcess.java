package dev.concord.local.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM of the local stack. Its stdout and stderr go to a log file; a line it prints can be
 * awaited (the broker announces its address that way). Stopping sends SIGTERM, so the child's
 * shutdown hooks run (Kafka Streams commits, embedded PostgreSQL stops), and kills it if it hangs.
 */
public final class ManagedProcess implements AutoCloseable {

    private static final long STOP_GRACE_SECONDS = 30;

    private final String name;
    private final Process process;
    private final Path log;
    private final CompletableFuture<String> awaitedLine = new CompletableFuture<>();

    private ManagedProcess(String name, Process process, Path log, Predicate<String> lineToAwait) {
        this.name = name;
        this.process = process;
        this.log = log;
        Thread pump = new Thread(() -> copyOutput(lineToAwait), name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    public static ManagedProcess start(String name, List<String> command, Map<String, String> environment, Path log,
                                Predicate<String> lineToAwait) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        try {
            Files.createDirectories(log.getParent());
            return new ManagedProcess(name, builder.start(), log, lineToAwait);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for a process that ends by itself (a command); its exit status, or empty if it is still running. */
    public java.util.OptionalInt awaitExit(java.time.Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                ? java.util.OptionalInt.of(process.exitValue()) : java.util.OptionalInt.empty();
    }

    /** The first output line matching the predicate given at start; fails if the process exits first. */
    public CompletableFuture<String> awaitedLine() {
        return awaitedLine;
    }

    private void copyOutput(Predicate<String> lineToAwait) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                file.write(line);
                file.write(System.lineSeparator());
                file.flush();
                if (!awaitedLine.isDone() && lineToAwait.test(line)) {
                    awaitedLine.complete(line);
                }
            }
        } catch (IOException e) {
            awaitedLine.completeExceptionally(e);
        } finally {
            awaitedLine.completeExceptionally(new IllegalStateException(name + " exited; see " + log));
        }
    }

    /** The last lines of the log, to show why a process failed. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Kills the process at once (SIGKILL): no shutdown hooks, as in a crash. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
