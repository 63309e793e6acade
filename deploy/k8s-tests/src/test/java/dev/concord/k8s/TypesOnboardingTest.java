package dev.concord.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.testsupport.TestFiles;
import dev.concord.tools.types.TypesSync;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The type declaration is the single source of deploy/k8s's per-type parts: the repository is in step with it,
 * and onboarding a type is its .avsc, a line in the declaration and {@code ./concord types sync}, after which
 * the rendered overlays pass the same checks as the real ones (topics, ACLs, the autoscalers' ceilings).
 */
class TypesOnboardingTest {

    private static final String INVOICE_SCHEMA = """
            {"type": "record", "name": "Invoice", "namespace": "dev.concord.domain",
             "fields": [
               {"name": "customerId", "type": "string"},
               {"name": "totalCents", "type": "long"},
               {"name": "paid", "type": "boolean", "default": false}
             ]}
            """;

    @Test
    void theRepositorysManifestsAreInStepWithTheTypeDeclaration() {
        TypesSync sync = new TypesSync(Kustomize.repo());

        assertThat(sync.plan()).extracting(change -> sync.relative(change.path()).toString())
                .as("files out of step with schemas/src/main/resources/concord-types.json: run ./concord types sync")
                .isEmpty();
    }

    @Test
    void aTypeAddedToTheDeclarationGetsItsTopicsAclsMountAndCeilingsFromOneSync(@TempDir Path copy) throws IOException {
        // Given a copy of the repository's contract and manifests, and a new type declared in the contract
        TestFiles.copyTree(Kustomize.repo().resolve("schemas/src/main"), copy.resolve("schemas/src/main"));
        TestFiles.copyTree(Kustomize.k8s(), copy.resolve("deploy/k8s"));
        Files.writeString(copy.resolve("schemas/src/main/avro/domain/invoice.avsc"), INVOICE_SCHEMA);
        Path declaration = copy.resolve(TypesSync.DECLARATION);
        String declared = Files.readString(declaration);
        Files.writeString(declaration, declared.replace("\n  ]",
                ",\n    {\"name\": \"invoice\", \"schema\": \"classpath:avro/domain/invoice.avsc\", \"policy\": \"last-writer-wins\", \"partitions\": 3}\n  ]"));

        // When
        TypesSync sync = new TypesSync(copy);
        List<TypesSync.FileChange> written = sync.apply();

        // Then every file the type touches was written, and a second sync has nothing left to do
        assertThat(written).extracting(change -> sync.relative(change.path()).toString()).contains(
                "deploy/k8s/base/types/concord-types.json", "deploy/k8s/base/types/invoice.avsc",
                "deploy/k8s/kafka/topics.yaml", "deploy/k8s/kafka/users.yaml");
        assertThat(sync.plan()).isEmpty();
        assertThat(Files.readString(copy.resolve("deploy/k8s/base/types/invoice.avsc"))).isEqualTo(INVOICE_SCHEMA);
        for (String overlay : Kustomize.OVERLAYS) {
            Rendered rendered = Kustomize.overlay(copy.resolve("deploy/k8s"), overlay);
            EntityTypes mounted = mountedDeclaration(rendered);
            assertThat(mounted.all()).extracting(EntityType::name).containsExactlyInAnyOrder("customer", "order", "invoice");
            assertThat(mounted.require("invoice").partitions()).isEqualTo(3);
            RenderedOverlaysTest.assertTopicsFollowTheDeclaration(overlay, rendered, mounted);
            RenderedOverlaysTest.assertAclsFollowTheDeclaration(overlay, rendered, mounted);
            int partitions = mounted.all().stream().mapToInt(EntityType::partitions).sum();
            for (Map<String, Object> scaled : rendered.all("ScaledObject")) {
                assertThat(Integer.parseInt(Y.str(scaled, "spec", "maxReplicaCount"))).as(Rendered.name(scaled)).isEqualTo(partitions);
            }
        }
    }

    @Test
    void theProcessorsCeilingSharesTheTasksAmongEachInstancesStreamThreads(@TempDir Path copy) throws IOException {
        // Given the repository's manifests with two stream threads per sync-processor instance
        copyWithStreamThreads(copy, 2);

        new TypesSync(copy).apply();

        // Then the processor's autoscaler stops at half the tasks (rounded up), the replica's still at its partitions
        Rendered rendered = Kustomize.overlay(copy.resolve("deploy/k8s"), "production");
        int tasks = mountedDeclaration(rendered).all().stream().mapToInt(EntityType::partitions).sum();
        assertThat(maxReplicas(rendered, ConcordServices.PROCESSOR)).isEqualTo((tasks + 1) / 2);
        assertThat(maxReplicas(rendered, ConcordServices.CONSUMER)).isEqualTo(tasks);
    }

    @Test
    void aThreadCountThatLeavesFewerInstancesWithWorkThanTheMinimumIsRefusedBySync(@TempDir Path copy) throws IOException {
        // Given as many threads per instance as the repository's 12 tasks: one instance would hold them all
        copyWithStreamThreads(copy, 12);

        assertThatThrownBy(() -> new TypesSync(copy).plan()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("work to 1 instance(s)").hasMessageContaining("minReplicaCount 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"- \"CONCORD_STREAM_THREADS=2\"  # one per core of the pod's two", "- CONCORD_STREAM_THREADS='2'"})
    void aQuotedAndCommentedThreadCountIsRead(String literal, @TempDir Path copy) throws IOException {
        // Given the thread count quoted (the whole entry, as YAML allows, or the value, as kustomize allows) and commented
        copyWithThreadLiteral(copy, literal);

        new TypesSync(copy).apply();

        // Then the ceiling follows the two threads
        Rendered rendered = Kustomize.overlay(copy.resolve("deploy/k8s"), "production");
        int tasks = mountedDeclaration(rendered).all().stream().mapToInt(EntityType::partitions).sum();
        assertThat(maxReplicas(rendered, ConcordServices.PROCESSOR)).isEqualTo((tasks + 1) / 2);
    }

    @Test
    void aCommentBesideTheAutoscalersMinimumDoesNotHideItFromTheCheck(@TempDir Path copy) throws IOException {
        copyWithStreamThreads(copy, 12);
        editProcessorMinimum(copy, "minReplicaCount: 2   # one per zone");

        assertThatThrownBy(() -> new TypesSync(copy).plan()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("work to 1 instance(s)").hasMessageContaining("minReplicaCount 2");
    }

    @Test
    void anAutoscalerMinimumThatIsNotACountIsRefusedNamingIt(@TempDir Path copy) throws IOException {
        copyWithStreamThreads(copy, 1);
        editProcessorMinimum(copy, "minReplicaCount: \"2\"");

        assertThatThrownBy(() -> new TypesSync(copy).plan()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spec.minReplicaCount must be a count").hasMessageContaining("'2'");
    }

    @Test
    void aThreadCountThatIsNotACountIsRefusedNamingIt(@TempDir Path copy) throws IOException {
        copyWithThreadLiteral(copy, "- CONCORD_STREAM_THREADS=two");

        assertThatThrownBy(() -> new TypesSync(copy).plan()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CONCORD_STREAM_THREADS must be a literal count").hasMessageContaining("'two'");
    }

    private static void copyWithStreamThreads(Path copy, int threads) throws IOException {
        copyWithThreadLiteral(copy, "- CONCORD_STREAM_THREADS=" + threads);
    }

    private static void copyWithThreadLiteral(Path copy, String literal) throws IOException {
        TestFiles.copyTree(Kustomize.repo().resolve("schemas/src/main"), copy.resolve("schemas/src/main"));
        TestFiles.copyTree(Kustomize.k8s(), copy.resolve("deploy/k8s"));
        edit(copy.resolve("deploy/k8s/base/kustomization.yaml"), "- CONCORD_STREAM_THREADS=1", literal);
    }

    private static void editProcessorMinimum(Path copy, String replacement) throws IOException {
        edit(copy.resolve("deploy/k8s/autoscaling/sync-processor-scaledobject.yaml"), "minReplicaCount: 2", replacement);
    }

    private static void edit(Path file, String expected, String replacement) throws IOException {
        String text = Files.readString(file);
        assertThat(text).contains(expected);
        Files.writeString(file, text.replace(expected, replacement));
    }

    private static int maxReplicas(Rendered rendered, String service) {
        String workload = Rendered.name(rendered.workloadOf(service));
        return rendered.all("ScaledObject").stream().filter(s -> workload.equals(Y.str(s, "spec", "scaleTargetRef", "name")))
                .mapToInt(s -> Integer.parseInt(Y.str(s, "spec", "maxReplicaCount"))).findFirst().orElseThrow();
    }

    @Test
    void aTypeRemovedFromTheDeclarationLeavesNoTopicAclOrSchemaCopyBehind(@TempDir Path copy) throws IOException {
        TestFiles.copyTree(Kustomize.repo().resolve("schemas/src/main"), copy.resolve("schemas/src/main"));
        TestFiles.copyTree(Kustomize.k8s(), copy.resolve("deploy/k8s"));
        Path declaration = copy.resolve(TypesSync.DECLARATION);
        List<String> kept = Files.readAllLines(declaration).stream().filter(line -> !line.contains("\"order\"")).toList();
        Files.writeString(declaration, String.join("\n", kept).replace("\"partitions\": 6},\n  ]", "\"partitions\": 6}\n  ]") + "\n");

        new TypesSync(copy).apply();

        assertThat(copy.resolve("deploy/k8s/base/types/order.avsc")).doesNotExist();
        Rendered rendered = Kustomize.overlay(copy.resolve("deploy/k8s"), "production");
        EntityTypes mounted = mountedDeclaration(rendered);
        assertThat(mounted.all()).extracting(EntityType::name).containsExactly("customer");
        RenderedOverlaysTest.assertTopicsFollowTheDeclaration("production", rendered, mounted);
        RenderedOverlaysTest.assertAclsFollowTheDeclaration("production", rendered, mounted);
    }

    private static EntityTypes mountedDeclaration(Rendered rendered) throws IOException {
        Path dir = Files.createTempDirectory("concord-types");
        for (Map.Entry<String, String> file : rendered.configMapData(rendered.generatedConfigMap("concord-types")).entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
        return EntityTypes.load(dir.resolve("concord-types.json").toString());
    }
}
