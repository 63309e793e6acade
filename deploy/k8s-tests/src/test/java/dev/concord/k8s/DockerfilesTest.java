package dev.concord.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What can be checked of the images without a Docker engine. deploy/images/Dockerfile builds any of the three
 * services from build arguments; the runbook's builds (docs/operations.md, the {@code ```bash images} block) give
 * each service its module, a main class that exists, the port its manifests probe and the service listens on, and
 * the image name the manifests use. The Dockerfile: pinned base images, a numeric non-root user (so Kubernetes'
 * runAsNonRoot can verify it, and it matches the manifests' runAsUser), the module's own jar.
 */
class DockerfilesTest {

    static final Path DOCKERFILE = Kustomize.repo().resolve("deploy/images/Dockerfile");

    private static final Pattern ARG_DEFAULT = Pattern.compile("(?m)^ARG (\\w+)=(\\S+)$");
    private static final Pattern FROM = Pattern.compile("(?m)^FROM (\\S+)");
    private static final Pattern BUILD_ARG = Pattern.compile("--build-arg (\\w+)=(\\S+)");
    private static final Pattern IMAGE_TAG = Pattern.compile("-t \"\\$REGISTRY/(\\S+):\\$TAG\"");

    @Test
    void theImageIsBuiltFromPinnedBasesAndRunsAsTheManifestsUser() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);

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
        assertThat(bases).as("a build stage and a runtime stage").hasSize(2);
        assertThat(bases).allSatisfy(image -> assertThat(image).as("%s pinned by digest", image).matches(".+:[^@]+@sha256:[0-9a-f]{64}"));
        assertThat(bases.get(0)).as("build stage").startsWith("maven:").contains("eclipse-temurin-17");
        assertThat(bases.get(1)).as("runtime stage").startsWith("eclipse-temurin:17").contains("-jre");

        // The manifests run every pod as 10001: the image's user must be that one, numerically.
        assertThat(dockerfile).containsPattern("(?m)^USER 10001:10001$");
        for (String service : ConcordServices.ALL) {
            String runAsUser = Y.str(Rendered.podSpec(Kustomize.overlay("production").workloadOf(service)), "securityContext", "runAsUser");
            assertThat(runAsUser).as(service).isEqualTo("10001");
        }
        // One build, parameterised: the module, its main class and its port come from build arguments.
        assertThat(dockerfile).contains("mvn -B -q -pl \"${MODULE}\" -am", "concord-\"${MODULE}\"-*.jar", "EXPOSE ${PORT}",
                "\"${MAIN_CLASS}\"", "ENTRYPOINT [\"java\", \"@/app/launch.args\"]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"producer-service", "sync-processor", "consumer-service"})
    void theRunbookBuildsTheServiceWithItsModuleMainClassPortAndImageName(String service) throws IOException {
        // Given the runbook's build of this service
        Map<String, String> args = buildOf(service);

        // Then its main class exists in the module
        Path source = Kustomize.repo().resolve(service).resolve("src/main/java").resolve(args.get("MAIN_CLASS").replace('.', '/') + ".java");
        assertThat(source).as("the main class of %s", service).exists();
        assertThat(Files.readString(source)).contains("public static void main(");
        // ...its port is the one the manifests probe and the service listens on by default
        String port = Y.str(Y.list(Kustomize.overlay("production").container(service), "ports").get(0), "containerPort");
        assertThat(args.get("PORT")).as("the port the manifests probe").isEqualTo(port);
        assertThat(ConcordServices.defaultOf(service, "PORT")).as("the service's default port").isEqualTo(port);
        // ...RocksDB lives outside the heap: the processor's heap takes half the limit, the others three quarters
        assertThat(args.get("HEAP_PERCENT")).isEqualTo(service.equals(ConcordServices.PROCESSOR) ? "50" : "75");
        // ...and it is tagged with the name the manifests use (the placeholder registry replaced by $REGISTRY)
        String image = Y.str(Kustomize.overlay("production").container(service), "image");
        assertThat(image).isEqualTo("registry.invalid/" + args.get("image") + ":0.1.0");
    }

    private static Map<String, String> buildOf(String service) {
        List<String> blocks = Runbook.blocks("bash images");
        assertThat(blocks).as("the ```bash images block of docs/operations.md").hasSize(1);
        String joined = blocks.get(0).replace("\\\n", " ");
        for (String line : joined.split("\n")) {
            if (line.startsWith("docker build") && line.contains("--build-arg MODULE=" + service + " ")) {
                assertThat(line).contains("-f deploy/images/Dockerfile").endsWith(" .");
                Map<String, String> args = new LinkedHashMap<>();
                Matcher arg = BUILD_ARG.matcher(line);
                while (arg.find()) {
                    args.put(arg.group(1), arg.group(2));
                }
                Matcher tag = IMAGE_TAG.matcher(line);
                assertThat(tag.find()).as("tagged $REGISTRY/<name>:$TAG: %s", line).isTrue();
                args.put("image", tag.group(1));
                return args;
            }
        }
        throw new AssertionError("docs/operations.md builds no image for " + service);
    }
}
