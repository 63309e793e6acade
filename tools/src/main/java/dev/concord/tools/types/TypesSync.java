package dev.concord.tools.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.tools.ContractFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Keeps deploy/k8s in step with the contract's type declaration ({@code schemas/src/main/resources/concord-types.json}
 * and the .avsc files it names), the single source of what types exist: the copies the manifests mount
 * (declaration and schemas under {@code deploy/k8s/base/types}) and the generated blocks of the manifests
 * ({@link ManifestTemplates}). {@link #plan()} says what would change; {@link #apply()} writes it.
 */
public final class TypesSync {

    public static final String DECLARATION = ContractFiles.DECLARATION;
    static final String TYPES_DIR = "deploy/k8s/base/types";
    static final String MOUNTED_DECLARATION = TYPES_DIR + "/concord-types.json";
    private static final String BASE_KUSTOMIZATION = "deploy/k8s/base/kustomization.yaml";
    private static final String PROCESSOR_SCALER = "deploy/k8s/autoscaling/sync-processor-scaledobject.yaml";
    private static final String PROCESSOR_CONFIG = "sync-processor-config";
    private static final String STREAM_THREADS = "CONCORD_STREAM_THREADS=";

    /** The files holding generated blocks. */
    static final List<String> MANIFESTS = List.of(
            "deploy/k8s/kafka/topics.yaml",
            "deploy/k8s/kafka/users.yaml",
            BASE_KUSTOMIZATION,
            "deploy/k8s/overlays/dev/kustomization.yaml",
            "deploy/k8s/autoscaling/keda-kafka-auth.yaml",
            PROCESSOR_SCALER,
            "deploy/k8s/autoscaling/consumer-service-scaledobject.yaml",
            "deploy/k8s/overlays/region-eu/mirrored-topics.yaml",
            "deploy/k8s/overlays/region-us/mirrored-topics.yaml");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One file whose content differs from what the declaration makes of it; {@code wanted} null: to delete. */
    public record FileChange(Path path, String wanted) {
    }

    private final Path repo;

    public TypesSync(Path repo) {
        this.repo = repo.toAbsolutePath().normalize();
    }

    /** The changes that would bring deploy/k8s in step with the declaration; empty when it is. */
    public List<FileChange> plan() {
        JsonNode declaration = readJson(repo.resolve(DECLARATION));
        List<DeclaredType> types = declaredTypes(declaration);
        Map<Path, String> wanted = new LinkedHashMap<>();
        wanted.put(repo.resolve(MOUNTED_DECLARATION), mountedDeclaration(declaration, types));
        for (DeclaredType type : types) {
            wanted.put(repo.resolve(TYPES_DIR).resolve(type.schemaFileName()), read(type.schemaSource()));
        }
        ManifestTemplates templates = new ManifestTemplates(types, processorStreamThreads());
        checkProcessorMinimum(templates.processorMaxReplicas());
        for (String manifest : MANIFESTS) {
            Path path = repo.resolve(manifest);
            wanted.put(path, GeneratedBlocks.fill(manifest, read(path), templates.blocks()));
        }
        List<FileChange> changes = new ArrayList<>();
        wanted.forEach((path, text) -> {
            if (!Files.exists(path) || !read(path).equals(text)) {
                changes.add(new FileChange(path, text));
            }
        });
        for (Path stale : staleSchemaCopies(types)) {
            changes.add(new FileChange(stale, null));
        }
        return changes;
    }

    /** Writes the planned changes. */
    public List<FileChange> apply() {
        List<FileChange> changes = plan();
        try {
            for (FileChange change : changes) {
                if (change.wanted() == null) {
                    Files.delete(change.path());
                } else {
                    Files.writeString(change.path(), change.wanted(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return changes;
    }

    public Path relative(Path path) {
        return repo.relativize(path);
    }

    /**
     * sync-processor's stream threads per instance: {@code CONCORD_STREAM_THREADS} among the literals of the base's
     * {@code sync-processor-config}, read as YAML. Unset, the pod runs one per core, which only the cluster knows; the
     * ceiling is then the tasks (one instance per task). A value this cannot read fails the sync rather than leave a
     * ceiling computed from a guess.
     */
    private int processorStreamThreads() {
        Optional<String> literal = YamlFiles.documents(repo, BASE_KUSTOMIZATION).stream()
                .flatMap(document -> YamlFiles.list(document, "configMapGenerator").stream())
                .filter(generator -> generator instanceof Map<?, ?> named && PROCESSOR_CONFIG.equals(named.get("name")))
                .flatMap(generator -> YamlFiles.list((Map<?, ?>) generator, "literals").stream())
                .map(String::valueOf).filter(entry -> entry.startsWith(STREAM_THREADS)).findFirst();
        if (literal.isEmpty()) {
            return 1;
        }
        String value = withoutQuotes(literal.get().substring(STREAM_THREADS.length()).trim());
        if (!value.matches("\\d{1,4}") || Integer.parseInt(value) < 1) {
            throw new IllegalStateException(BASE_KUSTOMIZATION + ": CONCORD_STREAM_THREADS must be a literal count of at least"
                    + " 1 (- CONCORD_STREAM_THREADS=2), not '" + value + "', so that sync-processor's maxReplicaCount can"
                    + " follow it");
        }
        return Integer.parseInt(value);
    }

    /** As kustomize reads a literal's value: one pair of matching quotes around it is not part of it. */
    private static String withoutQuotes(String value) {
        boolean quoted = value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                && value.charAt(value.length() - 1) == value.charAt(0);
        return quoted ? value.substring(1, value.length() - 1) : value;
    }

    /** A ceiling under the autoscaler's hand-written minimum is a ScaledObject KEDA refuses: said here, not at apply. */
    private void checkProcessorMinimum(int ceiling) {
        for (Map<?, ?> document : YamlFiles.documents(repo, PROCESSOR_SCALER)) {
            Object minimum = document.get("spec") instanceof Map<?, ?> spec ? spec.get("minReplicaCount") : null;
            if (minimum != null && !(minimum instanceof Integer)) {
                throw new IllegalStateException(PROCESSOR_SCALER + ": spec.minReplicaCount must be a count (KEDA refuses"
                        + " anything else), not '" + minimum + "'");
            }
            if (minimum instanceof Integer count && count > ceiling) {
                throw new IllegalStateException("sync-processor's tasks give work to " + ceiling + " instance(s) at the stream"
                        + " threads " + BASE_KUSTOMIZATION + " sets, fewer than the minReplicaCount " + count + " of "
                        + PROCESSOR_SCALER + ": lower CONCORD_STREAM_THREADS or the minimum");
            }
        }
    }

    private List<DeclaredType> declaredTypes(JsonNode declaration) {
        List<DeclaredType> types = new ArrayList<>();
        Set<String> files = new HashSet<>();
        for (JsonNode entry : declaration.path("types")) {
            String name = entry.path("name").asText();
            String location = entry.path("schema").asText();
            Path source = schemaSource(location);
            if (!Files.isRegularFile(source)) {
                throw new IllegalStateException(DECLARATION + ": type '" + name + "' names schema " + location
                        + ", but " + repo.relativize(source) + " does not exist");
            }
            try {
                new Schema.Parser().parse(source.toFile());
            } catch (IOException | SchemaParseException e) {
                throw new IllegalStateException(repo.relativize(source) + " (schema of type '" + name + "') is not a valid Avro schema: " + e.getMessage(), e);
            }
            DeclaredType type = new DeclaredType(name, source, entry.path("policy").asText(), entry.path("partitions").asInt(1));
            if (!files.add(type.schemaFileName())) {
                throw new IllegalStateException(DECLARATION + ": two types' schemas are named " + type.schemaFileName()
                        + "; the manifests mount them side by side, so each needs its own file name");
            }
            types.add(type);
        }
        return types;
    }

    private Path schemaSource(String location) {
        return repo.resolve(ContractFiles.repositoryPath(location));
    }

    // The contract's declaration with each schema beside it (the ConfigMap mounts them in one directory); one type per line.
    private static String mountedDeclaration(JsonNode declaration, List<DeclaredType> types) {
        List<String> lines = new ArrayList<>();
        int i = 0;
        for (JsonNode entry : declaration.path("types")) {
            ObjectNode copy = entry.deepCopy();
            copy.put("schema", types.get(i++).schemaFileName());
            List<String> fields = new ArrayList<>();
            copy.fields().forEachRemaining(field -> fields.add(JSON.getNodeFactory().textNode(field.getKey()) + ": " + field.getValue()));
            lines.add("    {" + String.join(", ", fields) + "}");
        }
        return "{\n  \"types\": [\n" + String.join(",\n", lines) + "\n  ]\n}\n";
    }

    private List<Path> staleSchemaCopies(List<DeclaredType> types) {
        Set<String> kept = new HashSet<>();
        types.forEach(t -> kept.add(t.schemaFileName()));
        try (Stream<Path> files = Files.list(repo.resolve(TYPES_DIR))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".avsc"))
                    .filter(p -> !kept.contains(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode readJson(Path path) {
        try {
            return JSON.readTree(path.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
