package dev.concord.examples.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.security.ApiKeys;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import dev.concord.testsupport.TestFiles;
import dev.concord.tools.types.TypesSync;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Onboarding a type end to end, as a team does it: its .avsc and a line in the contract's declaration,
 * {@code ./concord types sync}, and the declaration the manifests mount is what the service reads; a state published
 * for the new type reaches the directory's table and its door. (The rendered manifests are checked by the k8s-tests'
 * TypesOnboardingTest.)
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class TypeOnboardingEndToEndTest {

    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final String KEY = "onboarding-reader-key";

    @Test
    void shouldApplyANewlyDeclaredTypeFromTheDeclarationTheManifestsMount(@TempDir Path copy) throws Exception {
        // Given a copy of the contract and the manifests, with a new type declared (the customer schema under its own file)
        TestFiles.copyTree(REPO.resolve("schemas/src/main"), copy.resolve("schemas/src/main"));
        TestFiles.copyTree(REPO.resolve("deploy/k8s"), copy.resolve("deploy/k8s"));
        String type = KafkaTestClients.uniqueId("vip");
        Files.copy(copy.resolve("schemas/src/main/avro/domain/customer.avsc"), copy.resolve("schemas/src/main/avro/domain/" + type + ".avsc"));
        Path declaration = copy.resolve(TypesSync.DECLARATION);
        Files.writeString(declaration, Files.readString(declaration).replace("\n  ]", ",\n    {\"name\": \"" + type
                + "\", \"schema\": \"classpath:avro/domain/" + type + ".avsc\", \"policy\": \"last-writer-wins\", \"partitions\": 2}\n  ]"));

        // When the manifests are synced
        TypesSync sync = new TypesSync(copy);
        sync.apply();
        assertThat(sync.plan()).isEmpty();
        Path mounted = copy.resolve("deploy/k8s/base/types/concord-types.json");

        // Then a state of the new type, published, is in the directory that reads the mounted declaration
        TestTypes declared = new TestTypes(mounted, List.of(type));
        try (StatePublisher publisher = StatePublisher.connect(KafkaBrokerExtension.bootstrapServers(), declared);
             DirectoryProcess directory = DirectoryProcess.start(DirectoryProcess.settings(PostgresExtension.createDatabase(), type, mounted.toString(), Map.of(
                     "concord.security.api-keys", "[{\"client\":\"onboarding\",\"sha256\":\"" + ApiKeys.sha256Hex(KEY)
                             + "\",\"grants\":[\"" + type + ":read\"]}]")))) {
            publisher.publish(type, "vip-1", publisher.states(type).live("vip-1", 1, "Ada"));

            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://localhost:" + directory.port() + "/v1/customers/vip-1")).header("X-Api-Key", KEY).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(new ObjectMapper().readTree(response.body()).path("name").asText()).isEqualTo("Ada");
            });
        }
    }
}
