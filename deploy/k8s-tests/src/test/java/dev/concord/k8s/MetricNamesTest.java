package dev.concord.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Concord metric an alert rule or a dashboard panel names is one the services register. The names come from
 * the services' code - the Micrometer meters they build - turned into the names Micrometer's Prometheus registry
 * exposes (dots to underscores; counters end in _total; a base unit is appended; timers are in seconds; histograms
 * add _bucket, _count, _sum and _max). Not from a live scrape: the meters of a type appear on /prometheus only after
 * its first event, so a scrape of an idle service would miss most of them. Metrics of other exporters (kafka_*,
 * kube_*, up) are not Concord's and not checked here.
 */
class MetricNamesTest {

    private static final Pattern COUNTER = Pattern.compile("(?:Counter\\.builder|registry\\.counter)\\(\\s*\"(concord\\.[\\w.]+)\"");
    private static final Pattern GAUGE = Pattern.compile("(?:Gauge\\.builder\\(|partitionGauge\\(\\w+,\\s*)\\s*\"(concord\\.[\\w.]+)\"");
    private static final Pattern SUMMARY = Pattern.compile("DistributionSummary\\.builder\\(\\s*\"(concord\\.[\\w.]+)\"");
    private static final Pattern TIMER = Pattern.compile("(?:Timer\\.builder\\(|timer\\(\\w+,\\s*)\\s*\"(concord\\.[\\w.]+)\"");
    private static final Pattern BASE_UNIT = Pattern.compile("\\.baseUnit\\(\"(\\w+)\"\\)");
    private static final Pattern CONCORD_METRIC = Pattern.compile("\\bconcord_[a-z0-9_]+");

    @Test
    void everyConcordMetricTheAlertsAndTheDashboardNameIsRegisteredByAService() throws IOException {
        // Given the metric names the services' code registers
        Set<String> exposed = exposedMetricNames();
        assertThat(exposed).contains("concord_sync_applied_total", "concord_replica_freshness_seconds_bucket",
                "concord_replica_lag_total_records");

        // When the alert rules and the dashboard are read for Concord metric names
        Set<String> named = new TreeSet<>();
        for (String file : List.of("alert-rules.yaml", "concord-dashboard.json")) {
            Matcher m = CONCORD_METRIC.matcher(Files.readString(Kustomize.k8s().resolve("monitoring").resolve(file)));
            while (m.find()) {
                named.add(m.group());
            }
        }

        // Then each is one of them
        assertThat(named).isNotEmpty();
        assertThat(exposed).as("metrics the services register").containsAll(named);
    }

    static Set<String> exposedMetricNames() {
        Set<String> names = new TreeSet<>();
        // consumer-service's replica metrics live in the replica kit it runs on
        List<String> modules = new java.util.ArrayList<>(ConcordServices.ALL);
        modules.add("replica-kit");
        for (String module : modules) {
            for (String source : sources(Kustomize.repo().resolve(module).resolve("src/main/java"))) {
                each(COUNTER, source, (name, statement) -> names.add(prometheus(name) + "_total"));
                each(GAUGE, source, (name, statement) -> names.add(prometheus(name) + unit(statement)));
                each(SUMMARY, source, (name, statement) -> histogram(names, prometheus(name) + unit(statement)));
                each(TIMER, source, (name, statement) -> histogram(names, prometheus(name) + "_seconds"));
            }
        }
        return names;
    }

    private static void histogram(Set<String> names, String base) {
        for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
            names.add(base + suffix);
        }
    }

    private static String prometheus(String micrometerName) {
        return micrometerName.replace('.', '_');
    }

    private static String unit(String statement) {
        Matcher unit = BASE_UNIT.matcher(statement);
        return unit.find() ? "_" + unit.group(1) : "";
    }

    /** Calls {@code found} with each meter name and the rest of its statement (up to the next semicolon). */
    private static void each(Pattern pattern, String source, java.util.function.BiConsumer<String, String> found) {
        Matcher m = pattern.matcher(source);
        while (m.find()) {
            int end = source.indexOf(';', m.end());
            found.accept(m.group(1), source.substring(m.end(), end < 0 ? source.length() : end));
        }
    }

    private static List<String> sources(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java")).map(f -> {
                try {
                    return Files.readString(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
