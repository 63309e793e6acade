package dev.concord.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command-line tool (promtool, kubectl) the way an operator would. A tool that is not installed skips the
 * test with an install hint, unless CONCORD_REQUIRE_TOOLS is set (CI installs the tools and sets it): then it fails.
 */
final class ExternalTool {

    record Result(int exitCode, String out, String err) {
        String both() {
            return out + err;
        }
    }

    private ExternalTool() {
    }

    /** The tool's executable: the environment variable {@code envOverride} if set, else {@code name} on the PATH. */
    static String locate(String name, String envOverride) {
        String configured = System.getenv(envOverride);
        return configured == null || configured.isBlank() ? name : configured;
    }

    static Result run(Path workDir, List<String> command, String installHint) {
        Process process;
        Path stdout;
        Path stderr;
        try {
            stdout = Files.createTempFile("tool", ".out");
            stderr = Files.createTempFile("tool", ".err");
            process = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            String missing = "Cannot run '" + command.get(0) + "': " + e.getMessage() + ". " + installHint;
            if (System.getenv("CONCORD_REQUIRE_TOOLS") != null) {
                throw new AssertionError(missing, e);
            }
            org.junit.jupiter.api.Assumptions.abort(missing + " (skipped; CONCORD_REQUIRE_TOOLS=1 makes it a failure)");
            throw new IllegalStateException("unreachable");
        }
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
            }
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("reading the output of " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
