package dev.concord.k8s;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The resources one overlay renders to, with the look-ups the checks need. */
record Rendered(String overlay, List<Map<String, Object>> resources) {

    static final Set<String> WORKLOAD_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet");

    static String kind(Map<String, Object> resource) {
        return Y.str(resource, "kind");
    }

    static String name(Map<String, Object> resource) {
        return Y.str(resource, "metadata", "name");
    }

    List<Map<String, Object>> all(String kind) {
        return resources.stream().filter(r -> kind.equals(kind(r))).toList();
    }

    Optional<Map<String, Object>> find(String kind, String name) {
        return all(kind).stream().filter(r -> name.equals(name(r))).findFirst();
    }

    Map<String, Object> one(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(
                "overlay " + overlay + " renders no " + kind + " named " + name));
    }

    List<Map<String, Object>> workloads() {
        return resources.stream().filter(r -> WORKLOAD_KINDS.contains(kind(r))).toList();
    }

    /** The workload whose pods run a container of this name. */
    Map<String, Object> workloadOf(String container) {
        return workloads().stream().filter(w -> containers(w).stream().anyMatch(c -> container.equals(Y.str(c, "name"))))
                .findFirst().orElseThrow(() -> new AssertionError("overlay " + overlay + " runs no container " + container));
    }

    Map<String, Object> container(String name) {
        return containers(workloadOf(name)).stream().filter(c -> name.equals(Y.str(c, "name"))).findFirst().orElseThrow();
    }

    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return Y.map(workload, "spec", "template", "spec");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> containers(Map<String, Object> workload) {
        List<Map<String, Object>> containers = new ArrayList<>();
        for (Object c : Y.list(podSpec(workload), "containers")) {
            containers.add((Map<String, Object>) c);
        }
        return containers;
    }

    /** A ConfigMap's data; ConfigMaps are referenced by their rendered (hashed) names. */
    Map<String, String> configMapData(String renderedName) {
        Map<String, String> data = new LinkedHashMap<>();
        Y.map(one("ConfigMap", renderedName), "data").forEach((k, v) -> data.put(k, String.valueOf(v)));
        return data;
    }

    /** The rendered name of a generated ConfigMap (kustomize appends a content hash unless told not to). */
    String generatedConfigMap(String baseName) {
        return all("ConfigMap").stream().map(Rendered::name)
                .filter(n -> n.equals(baseName) || n.matches(java.util.regex.Pattern.quote(baseName) + "-[a-z0-9]{10}"))
                .findFirst().orElseThrow(() -> new AssertionError("overlay " + overlay + " renders no ConfigMap " + baseName));
    }

    Map<String, String> secretData(String name) {
        Map<String, String> data = new LinkedHashMap<>();
        Y.map(one("Secret", name), "data").forEach((k, v) ->
                data.put(k, new String(Base64.getDecoder().decode(String.valueOf(v)), StandardCharsets.UTF_8)));
        Y.map(one("Secret", name), "stringData").forEach((k, v) -> data.put(k, String.valueOf(v)));
        return data;
    }
}
