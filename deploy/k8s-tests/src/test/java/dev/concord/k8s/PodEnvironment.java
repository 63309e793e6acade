package dev.concord.k8s;

import dev.concord.k8s.ContainerEnv.Var;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * What a container of a rendered manifest would see, built on this machine: its environment as the
 * kubelet resolves it, and its volumes as directories under a root (ConfigMaps from the rendered output,
 * Secrets from what the test provides in place of Strimzi, emptyDirs and claims as empty directories).
 * Values that name a path inside a mounted volume point into the matching directory instead.
 */
final class PodEnvironment {

    private PodEnvironment() {
    }

    /**
     * @param secrets the Secrets the pod refers to, by name, then key: what Strimzi or the operator would have created
     * @param podName the pod's metadata.name
     */
    static Map<String, String> of(Rendered rendered, Map<String, Object> workload, String container, String podName,
                                  Map<String, Map<String, byte[]>> secrets, Path root) {
        Map<String, Object> c = Rendered.containers(workload).stream().filter(x -> container.equals(Y.str(x, "name"))).findFirst().orElseThrow();
        Map<String, Path> mounts = materializeVolumes(rendered, workload, c, secrets, root);
        Map<String, String> env = new LinkedHashMap<>();
        for (Var var : ContainerEnv.of(rendered, c)) {
            String value;
            if (var.fromSecret()) {
                byte[] bytes = secret(secrets, var.secret()).get(var.secretKey());
                if (bytes == null) {
                    throw new AssertionError(container + " needs key " + var.secretKey() + " of Secret " + var.secret());
                }
                value = new String(bytes, StandardCharsets.UTF_8);
            } else if (var.fieldPath() != null) {
                value = switch (var.fieldPath()) {
                    case "metadata.name" -> podName;
                    case "status.podIP" -> "127.0.0.1";
                    // A label the pod lacks resolves to an empty string, as the kubelet does (e.g. the zone label
                    // where Kubernetes does not copy node topology labels onto pods).
                    default -> podLabel(workload, var.fieldPath());
                };
            } else {
                value = expand(var.value(), env);
            }
            env.put(var.name(), inMountedVolume(value, mounts));
        }
        return env;
    }

    private static String podLabel(Map<String, Object> workload, String fieldPath) {
        Matcher label = LABEL_REF.matcher(fieldPath);
        if (!label.matches()) {
            throw new AssertionError("unsupported fieldRef " + fieldPath);
        }
        String value = Y.str(workload, "spec", "template", "metadata", "labels", label.group(1));
        return value == null ? "" : value;
    }

    private static final java.util.regex.Pattern LABEL_REF = java.util.regex.Pattern.compile("metadata\\.labels\\['([^']+)'\\]");

    private static String expand(String value, Map<String, String> defined) {
        Matcher m = ContainerEnv.REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = defined.containsKey(m.group(1)) ? defined.get(m.group(1)) : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }

    private static String inMountedVolume(String value, Map<String, Path> mounts) {
        for (var mount : mounts.entrySet()) {
            String path = mount.getKey();
            if (value.equals(path) || value.startsWith(path + "/")) {
                return mount.getValue() + value.substring(path.length());
            }
        }
        return value;
    }

    /** mountPath -> local directory, longest mount paths first (so nested mounts win). */
    private static Map<String, Path> materializeVolumes(Rendered rendered, Map<String, Object> workload, Map<String, Object> container,
                                                        Map<String, Map<String, byte[]>> secrets, Path root) {
        Map<String, Object> volumes = new LinkedHashMap<>();
        Y.list(Rendered.podSpec(workload), "volumes").forEach(v -> volumes.put(Y.str(v, "name"), v));
        Y.list(workload, "spec", "volumeClaimTemplates").forEach(t -> volumes.put(Y.str(t, "metadata", "name"), Map.of("claim", true)));
        List<Object> volumeMounts = new ArrayList<>(Y.list(container, "volumeMounts"));
        volumeMounts.sort(Comparator.comparingInt((Object m) -> Y.str(m, "mountPath").length()).reversed());
        Map<String, Path> mounts = new LinkedHashMap<>();
        try {
            for (Object mount : volumeMounts) {
                String name = Y.str(mount, "name");
                Object volume = volumes.get(name);
                if (volume == null) {
                    throw new AssertionError("volume " + name + " is mounted but not declared");
                }
                Path dir = Files.createDirectories(root.resolve(name));
                if (Y.get(volume, "configMap") != null) {
                    Map<String, String> data = rendered.configMapData(Y.str(volume, "configMap", "name"));
                    for (var entry : data.entrySet()) {
                        Files.writeString(dir.resolve(entry.getKey()), entry.getValue());
                    }
                } else if (Y.get(volume, "secret") != null) {
                    Map<String, byte[]> data = secret(secrets, Y.str(volume, "secret", "secretName"));
                    List<Object> items = Y.list(volume, "secret", "items");
                    if (items.isEmpty()) {
                        for (var entry : data.entrySet()) {
                            Files.write(dir.resolve(entry.getKey()), entry.getValue());
                        }
                    }
                    for (Object item : items) {
                        byte[] bytes = data.get(Y.str(item, "key"));
                        if (bytes == null) {
                            throw new AssertionError("volume " + name + " needs key " + Y.str(item, "key") + " of its Secret");
                        }
                        Files.write(dir.resolve(Y.str(item, "path")), bytes);
                    }
                }
                mounts.put(Y.str(mount, "mountPath"), dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return mounts;
    }

    private static Map<String, byte[]> secret(Map<String, Map<String, byte[]>> secrets, String name) {
        Map<String, byte[]> secret = secrets.get(name);
        if (secret == null) {
            throw new AssertionError("the pod needs Secret " + name + ", which the test does not provide");
        }
        return secret;
    }
}
