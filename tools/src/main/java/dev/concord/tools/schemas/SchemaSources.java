package dev.concord.tools.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.catalog.SchemaCatalog;
import dev.concord.tools.ContractFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * The schemas of a Concord repository by catalog subject, read from .avsc text: the envelopes
 * ({@code schemas/src/main/avro/contract}) and each declared type's payload schema. The text comes from a
 * function of the repository path, so the same reading serves the working tree and a git revision.
 */
final class SchemaSources {

    static final String CONTRACT_DIR = "schemas/src/main/avro/contract";

    private static final Map<String, String> ENVELOPES = Map.of(
            "EntityEvent", SchemaCatalog.SUBJECT_ENTITY_EVENT,
            "EntityState", SchemaCatalog.SUBJECT_ENTITY_STATE,
            "ConflictRecord", SchemaCatalog.SUBJECT_CONFLICT_RECORD,
            "RejectedEvent", SchemaCatalog.SUBJECT_REJECTED_EVENT);

    /** A subject's schema and the file it came from. */
    record Source(String subject, String path, Schema schema) {
    }

    private SchemaSources() {
    }

    /**
     * @param files     every .avsc path under the contract directory (repository-relative)
     * @param textOf    a repository-relative path's text, or null when it does not exist there
     */
    static Map<String, Source> read(List<String> files, Function<String, String> textOf) {
        Map<String, Source> bySubject = new LinkedHashMap<>();
        Map<String, Schema> envelopes = parseTogether(files, textOf);
        envelopes.forEach((name, schema) -> {
            String subject = ENVELOPES.get(name);
            if (subject != null) {
                bySubject.put(subject, new Source(subject, CONTRACT_DIR + "/" + name + ".avsc", schema));
            }
        });
        String declaration = textOf.apply(ContractFiles.DECLARATION);
        if (declaration != null) {
            for (JsonNode type : json(declaration).path("types")) {
                String path = ContractFiles.repositoryPath(type.path("schema").asText());
                String text = textOf.apply(path);
                if (text != null) {
                    String subject = "entity." + type.path("name").asText();
                    bySubject.put(subject, new Source(subject, path, parse(path, text, new Schema.Parser())));
                }
            }
        }
        return bySubject;
    }

    static List<String> contractFiles(Path repo) {
        try (Stream<Path> files = Files.list(repo.resolve(CONTRACT_DIR))) {
            return files.map(p -> CONTRACT_DIR + "/" + p.getFileName()).filter(p -> p.endsWith(".avsc")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + CONTRACT_DIR + ": " + e.getMessage(), e);
        }
    }

    // The envelopes refer to each other's named types (HybridClock, FieldStamp...): parse in rounds until
    // every file's references are known.
    private static Map<String, Schema> parseTogether(List<String> files, Function<String, String> textOf) {
        Map<String, Schema> known = new LinkedHashMap<>();
        Map<String, Schema> named = new LinkedHashMap<>();
        List<String> pending = new ArrayList<>(files.stream().filter(f -> textOf.apply(f) != null).toList());
        while (!pending.isEmpty()) {
            List<String> parsed = new ArrayList<>();
            String lastError = null;
            for (String file : pending) {
                Schema.Parser parser = new Schema.Parser();
                parser.addTypes(named.values());
                try {
                    Schema schema = parser.parse(textOf.apply(file));
                    known.put(schema.getName(), schema);
                    collectNamed(schema, named);
                    parsed.add(file);
                } catch (AvroRuntimeException e) {
                    // Avro 1.12 says "Undefined schema" (AvroTypeException) for a name defined in a file not parsed yet
                    lastError = file + ": " + e.getMessage();
                }
            }
            if (parsed.isEmpty()) {
                throw new IllegalStateException("cannot parse the contract's schemas: " + lastError);
            }
            pending.removeAll(parsed);
        }
        return known;
    }

    // Every named type a schema defines, nested ones included: the next files may refer to any of them.
    private static void collectNamed(Schema schema, Map<String, Schema> named) {
        switch (schema.getType()) {
            case RECORD -> {
                if (named.putIfAbsent(schema.getFullName(), schema) == null) {
                    schema.getFields().forEach(field -> collectNamed(field.schema(), named));
                }
            }
            case ENUM, FIXED -> named.putIfAbsent(schema.getFullName(), schema);
            case ARRAY -> collectNamed(schema.getElementType(), named);
            case MAP -> collectNamed(schema.getValueType(), named);
            case UNION -> schema.getTypes().forEach(branch -> collectNamed(branch, named));
            default -> {
            }
        }
    }

    private static Schema parse(String path, String text, Schema.Parser parser) {
        try {
            return parser.parse(text);
        } catch (AvroRuntimeException e) {
            throw new IllegalStateException(path + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(ContractFiles.DECLARATION + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
