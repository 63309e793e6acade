package dev.concord.local.stack;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the local stack finds the build, keeps its data and logs, and which HTTP ports the services
 * listen on (0 = any free port). The broker always takes a free port.
 *
 * @param sourcesFile where the sample sources' databases are written for {@code ./concord sql}, or null to run
 *                    without them (see {@link LocalStack}: {@code --sources})
 */
record LocalStackConfig(Path repositoryRoot, Path runDirectory, int producerPort, int processorPort, int consumerPort,
                        String javaOptions, Map<String, String> producerEnvironment, Path sourcesFile,
                        Map<String, String> serviceEnvironment) {

    LocalStackConfig(Path repositoryRoot, Path runDirectory, int producerPort, int processorPort, int consumerPort,
                     String javaOptions, Map<String, String> producerEnvironment, Path sourcesFile) {
        this(repositoryRoot, runDirectory, producerPort, processorPort, consumerPort, javaOptions, producerEnvironment, sourcesFile,
                Map.of());
    }

    static final String DEFAULT_JAVA_OPTIONS = "-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    /** Free ports everywhere: what tests want, so runs never collide. */
    static LocalStackConfig onFreePorts(Path repositoryRoot, Path runDirectory) {
        return new LocalStackConfig(repositoryRoot, runDirectory, 0, 0, 0, DEFAULT_JAVA_OPTIONS, Map.of(), null);
    }

    /** Extra settings for producer-service, e.g. an outbox relay or change data capture to run. */
    LocalStackConfig withProducerEnvironment(Map<String, String> environment) {
        return new LocalStackConfig(repositoryRoot, runDirectory, producerPort, processorPort, consumerPort, javaOptions,
                Map.copyOf(environment), sourcesFile, serviceEnvironment);
    }

    /** Settings for all three services, e.g. the region they run in (docs/multi-region.md). */
    LocalStackConfig withServiceEnvironment(Map<String, String> environment) {
        return new LocalStackConfig(repositoryRoot, runDirectory, producerPort, processorPort, consumerPort, javaOptions,
                producerEnvironment, sourcesFile, Map.copyOf(environment));
    }

    /** Also runs the sample sources: a PostgreSQL with a table under change data capture and one feeding the outbox. */
    LocalStackConfig withSources(Path file) {
        return new LocalStackConfig(repositoryRoot, runDirectory, producerPort, processorPort, consumerPort, javaOptions,
                producerEnvironment, file, serviceEnvironment);
    }
}
