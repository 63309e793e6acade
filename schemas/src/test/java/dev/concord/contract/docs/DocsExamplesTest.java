package dev.concord.contract.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/**
 * The JSON examples in docs/ are what a team in another language copies: each must parse, and each must say
 * what the code does — a declaration example is the real declaration, a catalog entry carries the fingerprint
 * of its schema and that schema is the declared one. An example of a kind this test does not know fails it,
 * so a new kind of example comes with its check.
 */
class DocsExamplesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);
    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void everyJsonExampleInTheDocsParsesAndAgreesWithTheCode() throws IOException {
        List<Example> examples = examples();
        assertThat(examples).as("docs/contract.md shows the declaration and a catalog entry").hasSizeGreaterThanOrEqualTo(2);
        EntityTypes declared = EntityTypes.load(EntityTypes.DEFAULT_DECLARATION);
        for (Example example : examples) {
            JsonNode json;
            try {
                json = JSON.readTree(example.text());
            } catch (IOException e) {
                throw new AssertionError(example + " is not JSON: " + e.getMessage(), e);
            }
            if (json.has("types")) {
                checkDeclaration(example, json, declared);
            } else if (json.has("subject") && json.has("fingerprint") && json.has("schemaJson")) {
                checkCatalogEntry(example, json, declared);
            } else {
                fail(example + " is an example this test does not know how to check: teach it (" + json.fieldNames().next() + ", ...)");
            }
        }
    }

    private static void checkDeclaration(Example example, JsonNode json, EntityTypes declared) {
        List<String> shown = new ArrayList<>();
        for (JsonNode type : json.get("types")) {
            shown.add(type.get("name").asText());
            EntityType real = declared.find(type.get("name").asText())
                    .orElseThrow(() -> new AssertionError(example + " declares " + type.get("name") + ", which the real declaration does not"));
            assertThat(MergePolicy.fromId(type.get("policy").asText())).as("%s: policy of %s", example, real.name()).isEqualTo(real.policy());
            assertThat(type.get("partitions").asInt()).as("%s: partitions of %s", example, real.name()).isEqualTo(real.partitions());
            String schema = type.get("schema").asText();
            assertThat(schema).as("%s: schema of %s", example, real.name()).startsWith("classpath:");
            assertThat(parse(resource(schema.substring("classpath:".length())))).as("%s: schema of %s", example, real.name())
                    .isEqualTo(real.schema());
        }
        assertThat(shown).as("%s shows every declared type", example).containsExactlyInAnyOrderElementsOf(declared.names());
    }

    private static void checkCatalogEntry(Example example, JsonNode json, EntityTypes declared) {
        Schema schema = parse(json.get("schemaJson").asText());
        assertThat(json.get("fingerprint").asLong()).as("%s: the fingerprint of its schemaJson", example)
                .isEqualTo(SchemaNormalization.parsingFingerprint64(schema));
        String subject = json.get("subject").asText();
        if (subject.startsWith("entity.")) {
            EntityType type = declared.require(subject.substring("entity.".length()));
            assertThat(schema).as("%s: the declared schema of %s", example, type.name()).isEqualTo(type.schema());
        }
    }

    private record Example(Path file, int line, String text) {
        @Override
        public String toString() {
            return file.getFileName() + ":" + line;
        }
    }

    private static List<Example> examples() throws IOException {
        List<Example> examples = new ArrayList<>();
        try (Stream<Path> files = Files.list(DOCS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
                String text = Files.readString(file);
                Matcher block = JSON_BLOCK.matcher(text);
                while (block.find()) {
                    int line = (int) text.substring(0, block.start()).chars().filter(c -> c == '\n').count() + 1;
                    examples.add(new Example(file, line, block.group(1)));
                }
            }
        }
        return examples;
    }

    private static Schema parse(String schemaJson) {
        return new Schema.Parser().parse(schemaJson);
    }

    private static String resource(String name) {
        try (var in = DocsExamplesTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new AssertionError("no resource " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
