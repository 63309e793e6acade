package dev.concord.tools.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.contract.catalog.CatalogLog;
import dev.concord.contract.catalog.CompatibilityMode;
import dev.concord.contract.catalog.SchemaCatalog;
import dev.concord.testsupport.TestFiles;
import dev.concord.tools.ContractFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A copy of the repository's schemas in a git repository of its own, changed after its first commit. */
class SchemasCheckTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final String CUSTOMER = "schemas/src/main/avro/domain/customer.avsc";

    @TempDir
    Path copy;

    @BeforeEach
    void committedCopyOfTheSchemas() throws Exception {
        TestFiles.copyTree(REPO.resolve("schemas/src/main/avro"), copy.resolve("schemas/src/main/avro"));
        Files.createDirectories(copy.resolve("schemas/src/main/resources"));
        Files.copy(REPO.resolve(ContractFiles.DECLARATION), copy.resolve(ContractFiles.DECLARATION));
        git("init", "-q");
        git("add", ".");
        git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "schemas in use");
    }

    @Test
    void shouldPassEverySubjectWhenNothingChanged() {
        List<SchemasCheck.Verdict> verdicts = new SchemasCheck(copy).againstRevision("HEAD", CompatibilityMode.FULL_TRANSITIVE);

        assertThat(verdicts).extracting(SchemasCheck.Verdict::subject).contains("concord.EntityEvent", "concord.EntityState",
                "concord.ConflictRecord", "concord.RejectedEvent", "entity.customer", "entity.order");
        assertThat(verdicts).allMatch(SchemasCheck.Verdict::compatible);
    }

    @Test
    void shouldPassAFieldAddedWithADefault() throws IOException {
        edit(CUSTOMER, "\"fields\": [", "\"fields\": [\n    {\"name\": \"nickname\", \"type\": [\"null\", \"string\"], \"default\": null},");

        assertThat(new SchemasCheck(copy).againstRevision("HEAD", CompatibilityMode.FULL_TRANSITIVE)).allMatch(SchemasCheck.Verdict::compatible);
    }

    @Test
    void shouldRefuseAFieldAddedWithoutADefaultNamingIt() throws IOException {
        edit(CUSTOMER, "\"fields\": [", "\"fields\": [\n    {\"name\": \"nickname\", \"type\": \"string\"},");

        SchemasCheck.Verdict customer = verdict(new SchemasCheck(copy).againstRevision("HEAD", CompatibilityMode.FULL_TRANSITIVE), "entity.customer");

        assertThat(customer.compatible()).isFalse();
        assertThat(customer.path()).isEqualTo(CUSTOMER);
        assertThat(customer.problems()).anySatisfy(p -> assertThat(p).startsWith("field 'nickname'"));
    }

    @Test
    void shouldNameTheNestedFieldWhoseTypeChanged() throws IOException {
        Schema before = new Schema.Parser().parse(copy.resolve(CUSTOMER).toFile());
        Schema.Field nested = before.getFields().stream().filter(f -> nestedRecord(f.schema()) != null).findFirst().orElseThrow();
        Schema.Field inner = nestedRecord(nested.schema()).getFields().stream()
                .filter(f -> f.schema().getType() == Schema.Type.STRING).findFirst().orElseThrow();
        String text = Files.readString(copy.resolve(CUSTOMER));
        Files.writeString(copy.resolve(CUSTOMER), text.replaceFirst(
                "\\{\\s*\"name\"\\s*:\\s*\"" + inner.name() + "\"\\s*,\\s*\"type\"\\s*:\\s*\"string\"", "{\"name\": \"" + inner.name() + "\", \"type\": \"int\""));

        SchemasCheck.Verdict customer = verdict(new SchemasCheck(copy).againstRevision("HEAD", CompatibilityMode.FULL_TRANSITIVE), "entity.customer");

        assertThat(customer.problems()).anySatisfy(p -> assertThat(p).startsWith("field '" + nested.name() + "." + inner.name() + "'"));
    }

    @Test
    void shouldRefuseABreakOfAnEnvelope() throws IOException {
        edit("schemas/src/main/avro/contract/EntityState.avsc", "{\"name\": \"writer\", \"type\": \"string\"", "{\"name\": \"writer\", \"type\": \"long\"");

        SchemasCheck.Verdict state = verdict(new SchemasCheck(copy).againstRevision("HEAD", CompatibilityMode.FULL_TRANSITIVE), "concord.EntityState");

        assertThat(state.problems()).anySatisfy(p -> assertThat(p).startsWith("field 'writer'"));
    }

    @Test
    void shouldCheckAgainstWhatTheCatalogHoldsWithItsRule() throws IOException {
        // Given a catalog that holds a later customer schema than the committed one (a field with a default)
        SchemaCatalog catalog = new SchemaCatalog(CatalogLog.inMemory());
        String withTier = Files.readString(copy.resolve(CUSTOMER)).replace("\"fields\": [",
                "\"fields\": [\n    {\"name\": \"loyalty\", \"type\": \"int\", \"default\": 0},");
        catalog.register("entity.customer", new Schema.Parser().parse(withTier));
        // When the working tree makes that field a string
        Files.writeString(copy.resolve(CUSTOMER), withTier.replace("{\"name\": \"loyalty\", \"type\": \"int\", \"default\": 0}",
                "{\"name\": \"loyalty\", \"type\": \"string\", \"default\": \"0\"}"));

        SchemasCheck.Verdict customer = verdict(new SchemasCheck(copy).againstCatalog(catalog), "entity.customer");

        assertThat(customer.against()).contains("FULL_TRANSITIVE");
        assertThat(customer.problems()).anySatisfy(p -> assertThat(p).startsWith("field 'loyalty'"));
    }

    @Test
    void shouldRefuseARevisionThatIsNotACommit() {
        assertThatThrownBy(() -> new SchemasCheck(copy).againstRevision("no-such-branch", CompatibilityMode.FULL))
                .hasMessageContaining("'no-such-branch' is not a commit");
    }

    private static Schema nestedRecord(Schema schema) {
        if (schema.getType() == Schema.Type.RECORD) {
            return schema;
        }
        if (schema.getType() == Schema.Type.UNION) {
            return schema.getTypes().stream().filter(s -> s.getType() == Schema.Type.RECORD).findFirst().orElse(null);
        }
        return null;
    }

    private static SchemasCheck.Verdict verdict(List<SchemasCheck.Verdict> verdicts, String subject) {
        return verdicts.stream().filter(v -> v.subject().equals(subject)).findFirst().orElseThrow();
    }

    private void edit(String path, String from, String to) throws IOException {
        String text = Files.readString(copy.resolve(path));
        assertThat(text).contains(from);
        Files.writeString(copy.resolve(path), text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
    }

    private void git(String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", copy.toString()));
        command.addAll(List.of(arguments));
        Process git = new ProcessBuilder(command).inheritIO().start();
        assertThat(git.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(git.exitValue()).as(String.join(" ", command)).isZero();
    }
}
