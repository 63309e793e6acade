package dev.concord.contract.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The declared entity types, immutable. Every service loads the same declaration file, so the
 * producer, the processor and the replicas agree on types, schemas, policies and partitions:
 *
 * <pre>{@code
 * {"types": [
 *   {"name": "customer", "schema": "classpath:avro/domain/customer.avsc", "policy": "field-merge", "partitions": 6},
 *   {"name": "order", "schema": "classpath:avro/domain/order.avsc", "policy": "optimistic", "partitions": 6, "poison": "park"}
 * ]}
 * }</pre>
 *
 * A schema location is {@code classpath:<resource>} or a file path (relative to the declaration file).
 */
public final class EntityTypes {

    public static final String DEFAULT_DECLARATION = "classpath:concord-types.json";

    private final Map<String, EntityType> byName;

    private EntityTypes(Map<String, EntityType> byName) {
        this.byName = byName;
    }

    public static EntityTypes of(Collection<EntityType> types) {
        Map<String, EntityType> byName = new LinkedHashMap<>();
        for (EntityType type : types) {
            if (byName.putIfAbsent(type.name(), type) != null) {
                throw new IllegalArgumentException("entity type '" + type.name() + "' is declared twice");
            }
        }
        return new EntityTypes(Map.copyOf(byName));
    }

    /** Loads a declaration from {@code classpath:<resource>} or a file path. */
    public static EntityTypes load(String location) {
        try {
            JsonNode root = new ObjectMapper().readTree(read(location, null));
            Path base = location.startsWith("classpath:") ? null : Path.of(location).toAbsolutePath().getParent();
            List<EntityType> types = new ArrayList<>();
            for (JsonNode declared : root.path("types")) {
                String name = required(declared, "name", location);
                Schema schema = new Schema.Parser().parse(read(required(declared, "schema", location), base));
                MergePolicy policy = MergePolicy.fromId(declared.path("policy").asText(MergePolicy.LAST_WRITER_WINS.id()));
                PoisonPolicy poison = PoisonPolicy.fromId(declared.path("poison").asText(PoisonPolicy.SKIP.id()));
                String home = declared.hasNonNull("home") ? declared.get("home").asText() : null;
                types.add(new EntityType(name, schema, policy, declared.path("partitions").asInt(1), poison, home));
            }
            if (types.isEmpty()) {
                throw new IllegalArgumentException("no entity types declared in " + location);
            }
            return of(types);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read entity type declaration " + location, e);
        }
    }

    public Optional<EntityType> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public EntityType require(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown entity type '" + name + "'"));
    }

    /** All types, sorted by name (a stable order for topologies and topic lists). */
    public List<EntityType> all() {
        return byName.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    public List<String> names() {
        return all().stream().map(EntityType::name).toList();
    }

    private static String required(JsonNode node, String field, String location) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("entity type declaration in " + location + " lacks the text field '" + field + "': " + node);
        }
        return value.asText();
    }

    private static InputStream read(String location, Path base) throws IOException {
        if (location.startsWith("classpath:")) {
            String resource = location.substring("classpath:".length());
            InputStream in = EntityTypes.class.getClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw new IOException("no classpath resource " + resource);
            }
            return in;
        }
        Path path = base == null ? Path.of(location) : base.resolve(location);
        return Files.newInputStream(path);
    }
}
