package dev.concord.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The runbook's cluster-free commands work as written: every {@code ```bash offline} block of docs/operations.md
 * runs, in order, in one bash (set -euo pipefail), in a directory holding a copy of deploy/ (the runbook's commands
 * run from the repository root), with an empty kubeconfig so that nothing can reach a cluster. Then what they made
 * is checked against the manifests.
 */
class RunbookTest {

    private static final Set<String> SECRETS_YOU_OWN = Set.of("concord-api-keys", "concord-metrics-key", "consumer-service-db");

    @TempDir
    static Path root;

    static ExternalTool.Result run;

    @BeforeAll
    static void runTheOfflineBlocks() throws IOException {
        List<String> blocks = Runbook.blocks("bash offline");
        assertThat(blocks).as("offline blocks in docs/operations.md").hasSizeGreaterThanOrEqualTo(4);
        copy(Kustomize.repo().resolve("deploy/k8s"), root.resolve("deploy/k8s"));
        Path kubeconfig = Files.createFile(root.resolve("empty-kubeconfig"));
        Path script = root.resolve("runbook.sh");
        Files.writeString(script, "set -euo pipefail\nexport KUBECONFIG='" + kubeconfig + "'\n" + String.join("\n", blocks));

        run = ExternalTool.run(root, List.of("bash", script.toString()), "bash, kubectl, openssl and promtool must be installed.");
        // A missing tool shows as "command not found" (exit 127): skip with a hint as the other tool tests do.
        if (run.exitCode() == 127) {
            String missing = "A command of the runbook is not installed: " + run.err()
                    + " Install kubectl (Debian: kubernetes-client), promtool (Debian: prometheus) and openssl.";
            if (System.getenv("CONCORD_REQUIRE_TOOLS") != null) {
                throw new AssertionError(missing);
            }
            org.junit.jupiter.api.Assumptions.abort(missing);
        }
    }

    @Test
    void everyOfflineCommandOfTheRunbookSucceeds() {
        assertThat(run.exitCode()).as("docs/operations.md offline blocks:\n%s", run.both()).isZero();
        assertThat(run.out()).contains("SUCCESS: ");
    }

    @Test
    void theSecretsTheRunbookMakesCarryEveryKeyTheManifestsUse() throws IOException {
        assertThat(run.exitCode()).as(run.both()).isZero();
        // Given the Secrets the runbook generated
        Map<String, Map<String, String>> generated = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(root.resolve("secrets"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Map<String, Object> secret = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
                Map<String, String> data = new LinkedHashMap<>();
                Y.map(secret, "data").forEach((k, v) -> data.put(k,
                        new String(Base64.getDecoder().decode(String.valueOf(v)), StandardCharsets.UTF_8)));
                assertThat(Y.str(secret, "metadata", "namespace")).isEqualTo("concord");
                generated.put(Y.str(secret, "metadata", "name"), data);
            }
        }
        assertThat(generated.keySet()).containsExactlyInAnyOrderElementsOf(SECRETS_YOU_OWN);

        // When the production manifests' references to them are collected
        Set<String> referenced = referencedSecretKeys(Kustomize.overlay("production"));

        // Then each referenced key exists, and Prometheus' key is the no-grant client's
        assertThat(referenced).isNotEmpty();
        for (String ref : referenced) {
            String[] nameKey = ref.split("/", 2);
            assertThat(generated.get(nameKey[0])).as("secret %s", nameKey[0]).containsKey(nameKey[1]);
        }
        assertThat(referenced).as("every Secret you own is used").extracting(r -> r.split("/")[0])
                .containsAll(SECRETS_YOU_OWN);
        String metricsDigest = sha256(generated.get("concord-metrics-key").get("key"));
        List<Object> clients = new Yaml(new SafeConstructor(new LoaderOptions())).load(generated.get("concord-api-keys").get("api-keys.json"));
        assertThat(clients).anySatisfy(c -> {
            assertThat(Y.str(c, "sha256")).isEqualTo(metricsDigest);
            assertThat(Y.list(c, "grants")).isEmpty();
        });
    }

    @Test
    void theRunbooksOwnOverlaySetsTheRegistryAndTagOfEveryImage() throws IOException {
        assertThat(run.exitCode()).as(run.both()).isZero();
        String rendered = Files.readString(root.resolve("my-cluster.yaml"));

        assertThat(rendered).contains("image: registry.example.com/acme/concord/producer-service:0.1.0",
                "image: registry.example.com/acme/concord/sync-processor:0.1.0",
                "image: registry.example.com/acme/concord/consumer-service:0.1.0");
        assertThat(Kustomize.overlay("production").workloads()).allSatisfy(w -> assertThat(Rendered.containers(w))
                .allSatisfy(c -> assertThat(Y.str(c, "image")).as("the placeholder registry").startsWith("registry.invalid/concord/")));
    }

    /** "secret/key" for every secretKeyRef and every projected secret volume item, of the Secrets you own. */
    private static Set<String> referencedSecretKeys(Rendered rendered) {
        Set<String> refs = new LinkedHashSet<>();
        for (Map<String, Object> workload : rendered.workloads()) {
            for (Map<String, Object> c : Rendered.containers(workload)) {
                for (Object env : Y.list(c, "env")) {
                    String name = Y.str(env, "valueFrom", "secretKeyRef", "name");
                    if (isOwned(name)) {
                        refs.add(name + "/" + Y.str(env, "valueFrom", "secretKeyRef", "key"));
                    }
                }
            }
            for (Object volume : Y.list(Rendered.podSpec(workload), "volumes")) {
                String name = Y.str(volume, "secret", "secretName");
                if (isOwned(name)) {
                    List<Object> items = Y.list(volume, "secret", "items");
                    if (items.isEmpty()) {
                        // The whole Secret is mounted: the service is told a file in it by a *_FILE variable.
                        for (Map<String, Object> c : Rendered.containers(workload)) {
                            String mountPath = Y.list(c, "volumeMounts").stream()
                                    .filter(m -> Y.str(volume, "name").equals(Y.str(m, "name")))
                                    .map(m -> Y.str(m, "mountPath")).findFirst().orElse(null);
                            if (mountPath == null) {
                                continue;
                            }
                            List<String> files = ContainerEnv.of(rendered, c).stream().map(ContainerEnv.Var::value)
                                    .filter(v -> v != null && v.startsWith(mountPath + "/")).toList();
                            assertThat(files).as("%s: the variable naming a file of the mounted Secret %s", Y.str(c, "name"), name)
                                    .isNotEmpty();
                            files.forEach(f -> refs.add(name + "/" + f.substring(mountPath.length() + 1)));
                        }
                    }
                    items.forEach(i -> refs.add(name + "/" + Y.str(i, "key")));
                }
            }
        }
        for (Map<String, Object> monitor : rendered.all("ServiceMonitor")) {
            for (Object endpoint : Y.list(monitor, "spec", "endpoints")) {
                String name = Y.str(endpoint, "authorization", "credentials", "name");
                if (isOwned(name)) {
                    refs.add(name + "/" + Y.str(endpoint, "authorization", "credentials", "key"));
                }
            }
        }
        return refs;
    }

    private static boolean isOwned(String secretName) {
        return secretName != null && SECRETS_YOU_OWN.contains(secretName);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        List<Path> all;
        try (Stream<Path> files = Files.walk(from)) {
            all = new ArrayList<>(files.toList());
        }
        for (Path source : all) {
            Path target = to.resolve(from.relativize(source).toString());
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
            } else {
                Files.createDirectories(target.getParent());
                Files.copy(source, target);
            }
        }
    }
}
