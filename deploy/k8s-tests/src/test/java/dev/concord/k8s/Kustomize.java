package dev.concord.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Renders an overlay with {@code kubectl kustomize}, the way an operator's {@code kubectl apply -k} would,
 * without a cluster. The kubectl on the PATH is used, or the one named by {@code KUBECTL}. The manifests
 * use only what kustomize v2.0.3 (kubectl 1.20, Debian's kubernetes-client) also understands, so both it
 * and a current kubectl must render them: run the tests with either.
 */
final class Kustomize {

    static final List<String> OVERLAYS = List.of("dev", "production");

    private static final Map<String, Rendered> RENDERED = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    static Path repo() {
        return Path.of(System.getProperty("concord.repo", "../..")).toAbsolutePath().normalize();
    }

    static Path k8s() {
        return repo().resolve("deploy/k8s");
    }

    static String kubectl() {
        String configured = System.getenv("KUBECTL");
        return configured == null || configured.isBlank() ? "kubectl" : configured;
    }

    /** The overlay's resources, rendered once per test run. */
    static Rendered overlay(String name) {
        return RENDERED.computeIfAbsent(name, n -> parse(n, render(k8s().resolve("overlays").resolve(n))));
    }

    /** An overlay of another copy of deploy/k8s (not cached). */
    static Rendered overlay(Path k8sDir, String name) {
        return parse(name, render(k8sDir.resolve("overlays").resolve(name)));
    }

    static String render(Path kustomizationDir) {
        List<String> command = List.of(kubectl(), "kustomize", kustomizationDir.toString());
        Process process;
        Path stderr;
        try {
            stderr = Files.createTempFile("kustomize", ".err");
            process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            String missing = "Cannot run '" + kubectl() + "' to render " + kustomizationDir + ": " + e.getMessage()
                    + ". Install kubectl (Debian: apt-get install -y kubernetes-client, which brings kubectl 1.20 with"
                    + " kustomize v2.0.3) or point KUBECTL at one.";
            // CI installs kubectl and sets CONCORD_REQUIRE_TOOLS: there a missing kubectl fails the build. On a
            // machine with only a JDK and Maven, the manifest tests are skipped with this message instead.
            if (System.getenv("CONCORD_REQUIRE_TOOLS") != null) {
                throw new AssertionError(missing, e);
            }
            org.junit.jupiter.api.Assumptions.abort(missing + " (skipped; CONCORD_REQUIRE_TOOLS=1 makes it a failure)");
            throw new IllegalStateException("unreachable");
        }
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
            }
            String err = Files.readString(stderr);
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n" + err);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("Reading the output of " + String.join(" ", command) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Rendered parse(String overlay, String yaml) {
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (doc instanceof Map<?, ?> map) {
                resources.add((Map<String, Object>) map);
            }
        }
        if (resources.isEmpty()) {
            throw new AssertionError("overlay " + overlay + " rendered no resources");
        }
        return new Rendered(overlay, List.copyOf(resources));
    }
}
