package dev.concord.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What can be checked of the images without a Docker engine: pinned base images, a numeric non-root
 * user (so Kubernetes' runAsNonRoot can verify it, and it matches the manifests' runAsUser), the
 * module's own jar, and an entry point whose main class exists.
 */
class DockerfilesTest {

    private static final Pattern ARG_DEFAULT = Pattern.compile("(?m)^ARG (\\w+)=(\\S+)$");
    private static final Pattern FROM = Pattern.compile("(?m)^FROM (\\S+)");
    private static final Pattern ENTRYPOINT_MAIN = Pattern.compile("(?m)^ENTRYPOINT \\[.*\"([a-z][\\w.]*\\.[A-Z]\\w*)\"\\]$");

    @ParameterizedTest
    @ValueSource(strings = {"producer-service", "sync-processor", "consumer-service"})
    void theImageIsBuiltFromPinnedBasesAndRunsTheServiceAsTheManifestsUser(String service) throws IOException {
        Path module = Kustomize.repo().resolve(service);
        String dockerfile = Files.readString(module.resolve("Dockerfile"));

        List<String> bases = new ArrayList<>();
        Matcher from = FROM.matcher(dockerfile);
        while (from.find()) {
            String image = from.group(1);
            Matcher arg = ARG_DEFAULT.matcher(dockerfile);
            while (arg.find()) {
                image = image.replace("${" + arg.group(1) + "}", arg.group(2));
            }
            bases.add(image);
        }
        assertThat(bases).as("%s: a build stage and a runtime stage", service).hasSize(2);
        assertThat(bases).allSatisfy(image -> assertThat(RenderedOverlaysTest.isPinned(image)).as("%s pinned", image).isTrue());
        assertThat(bases.get(0)).as("build stage").startsWith("maven:").contains("eclipse-temurin-17");
        assertThat(bases.get(1)).as("runtime stage").startsWith("eclipse-temurin:17").contains("-jre");

        // The manifests run every pod as 10001: the image's user must be that one, numerically.
        assertThat(dockerfile).containsPattern("(?m)^USER 10001:10001$");
        String runAsUser = Y.str(Rendered.podSpec(Kustomize.overlay("production").workloadOf(service)), "securityContext", "runAsUser");
        assertThat(runAsUser).isEqualTo("10001");

        assertThat(dockerfile).as("builds this module").contains("-pl " + service + " ")
                .contains("/src/" + service + "/target/concord-" + service + "-");
        Matcher main = ENTRYPOINT_MAIN.matcher(dockerfile);
        assertThat(main.find()).as("%s: ENTRYPOINT names a main class", service).isTrue();
        Path source = module.resolve("src/main/java").resolve(main.group(1).replace('.', '/') + ".java");
        assertThat(source).as("the main class of %s", service).exists();
        assertThat(Files.readString(source)).contains("public static void main(");

        String port = Y.str(Y.list(Kustomize.overlay("production").container(service), "ports").get(0), "containerPort");
        assertThat(dockerfile).as("EXPOSE the port the manifests probe").contains("EXPOSE " + port);
        assertThat(ConcordServices.defaultOf(service, "PORT")).as("the service's default port").isEqualTo(port);
    }
}
