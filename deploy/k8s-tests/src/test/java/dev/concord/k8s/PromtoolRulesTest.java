package dev.concord.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The alert rules are checked by Prometheus' own tool, not by reading them: the rule groups of the rendered
 * PrometheusRule go to a rules file that {@code promtool check rules} must accept, and {@code promtool test rules}
 * runs src/test/resources/promtool/alert-rules-test.yaml against it, which feeds synthetic series for every alert
 * and asserts when it fires and when it stays quiet.
 */
class PromtoolRulesTest {

    static final String INSTALL_HINT = "Install promtool (Debian: apt-get install -y prometheus) or point PROMTOOL at one.";

    @TempDir
    Path dir;

    @Test
    void theAlertRulesPassPromtoolsCheck() throws IOException {
        writeRules();

        ExternalTool.Result result = promtool("check", "rules", "rules.yml");

        assertThat(result.exitCode()).as(result.both()).isZero();
        assertThat(result.both()).contains("SUCCESS: " + alertNames().size() + " rules found");
    }

    @Test
    void everyAlertFiresOnItsSyntheticSeriesAndStaysQuietOtherwise() throws IOException {
        writeRules();
        Files.writeString(dir.resolve("alert-rules-test.yaml"), unitTests());

        ExternalTool.Result result = promtool("test", "rules", "alert-rules-test.yaml");

        assertThat(result.exitCode()).as(result.both()).isZero();
        assertThat(result.both()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTestInWhichItFires() {
        Set<String> firing = new TreeSet<>();
        Map<String, Object> tests = new Yaml(new SafeConstructor(new LoaderOptions())).load(unitTests());
        for (Object test : Y.list(tests, "tests")) {
            for (Object check : Y.list(test, "alert_rule_test")) {
                if (!Y.list(check, "exp_alerts").isEmpty()) {
                    firing.add(Y.str(check, "alertname"));
                }
            }
        }

        assertThat(firing).as("alerts with a firing expectation").containsAll(alertNames());
        assertThat(firing).contains("ConcordReplicaLagHigh", "ConcordReplicaApplierStalled", "ConcordDeadLetters",
                "ConcordDeadLetterTopicGrowing", "ConcordConflictSpike", "ConcordServiceDown", "ConcordProcessorStalled");
    }

    private ExternalTool.Result promtool(String... args) {
        List<String> command = new java.util.ArrayList<>();
        command.add(ExternalTool.locate("promtool", "PROMTOOL"));
        command.addAll(List.of(args));
        return ExternalTool.run(dir, command, INSTALL_HINT);
    }

    /** The PrometheusRule's groups, as the rules file Prometheus itself would load. */
    private void writeRules() throws IOException {
        Map<String, Object> rule = Kustomize.overlay("production").one("PrometheusRule", "concord");
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("groups", Y.list(rule, "spec", "groups"));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(dir.resolve("rules.yml"), new Yaml(options).dump(file));
    }

    private static List<String> alertNames() {
        Map<String, Object> rule = Kustomize.overlay("production").one("PrometheusRule", "concord");
        return Y.list(rule, "spec", "groups").stream().flatMap(g -> Y.list(g, "rules").stream())
                .map(r -> Y.str(r, "alert")).filter(java.util.Objects::nonNull).toList();
    }

    private static String unitTests() {
        try (InputStream in = PromtoolRulesTest.class.getResourceAsStream("/promtool/alert-rules-test.yaml")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
