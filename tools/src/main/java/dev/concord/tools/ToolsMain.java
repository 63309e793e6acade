package dev.concord.tools;

import dev.concord.contract.catalog.CompatibilityMode;
import dev.concord.contract.catalog.KafkaCatalogLog;
import dev.concord.contract.catalog.SchemaCatalog;
import dev.concord.contract.topics.TopicNames;
import dev.concord.tools.schemas.SchemasCheck;
import dev.concord.tools.types.TypesSync;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./concord types ...} and {@code ./concord schemas ...}: the contract's tools. */
@Command(name = "concord", subcommands = {ToolsMain.Types.class, ToolsMain.Schemas.class}, mixinStandardHelpOptions = true)
public final class ToolsMain {

    public static void main(String[] args) {
        System.exit(new CommandLine(new ToolsMain()).execute(args));
    }

    static Path repo() {
        return Path.of(System.getProperty("concord.home", ".")).toAbsolutePath().normalize();
    }

    @Command(name = "types", mixinStandardHelpOptions = true, subcommands = Types.Sync.class,
            description = "Entity types: the declaration (schemas/src/main/resources/concord-types.json) and what follows from it.")
    static final class Types {

        @Command(name = "sync", mixinStandardHelpOptions = true,
                description = "Write deploy/k8s's copies of the declaration and schemas and its per-type topics, ACLs, patches and autoscaling ceilings from the declaration.")
        static final class Sync implements Callable<Integer> {

            @Option(names = "--check", description = "Change nothing; exit 1 and list the files that are out of step.")
            boolean check;

            @Override
            public Integer call() {
                TypesSync sync = new TypesSync(repo());
                List<TypesSync.FileChange> changes = check ? sync.plan() : sync.apply();
                for (TypesSync.FileChange change : changes) {
                    System.out.println((check ? "out of step: " : change.wanted() == null ? "deleted: " : "written: ") + sync.relative(change.path()));
                }
                if (changes.isEmpty()) {
                    System.out.println("deploy/k8s is in step with the type declaration.");
                }
                return check && !changes.isEmpty() ? 1 : 0;
            }
        }
    }

    @Command(name = "schemas", mixinStandardHelpOptions = true, subcommands = Schemas.Check.class,
            description = "The contract's Avro schemas.")
    static final class Schemas {

        @Command(name = "check", mixinStandardHelpOptions = true,
                description = "Check the working tree's schemas (envelopes and declared types) against a git revision and/or the live catalog; exit 1 naming each field that breaks compatibility.")
        static final class Check implements Callable<Integer> {

            @Option(names = "--against", description = "Git revision holding the schemas in use (default: ${DEFAULT-VALUE}).", defaultValue = "HEAD")
            String revision;

            @Option(names = "--mode", description = "Compatibility rule against the revision (default: ${DEFAULT-VALUE}, the catalog's).", defaultValue = "FULL_TRANSITIVE")
            CompatibilityMode mode;

            @Option(names = "--bootstrap", description = "Also check against the live catalog (concord.schemas) of this Kafka cluster.")
            String bootstrap;

            @Option(names = "--kafka-config", description = "Kafka client properties for --bootstrap (security settings).")
            Path kafkaConfig;

            @Override
            public Integer call() throws Exception {
                SchemasCheck check = new SchemasCheck(repo());
                List<SchemasCheck.Verdict> verdicts = new java.util.ArrayList<>(check.againstRevision(revision, mode));
                if (bootstrap != null) {
                    try (SchemaCatalog catalog = new SchemaCatalog(new KafkaCatalogLog(kafkaConfig(), TopicNames.SCHEMAS, false))) {
                        verdicts.addAll(check.againstCatalog(catalog));
                    }
                }
                boolean broken = false;
                for (SchemasCheck.Verdict verdict : verdicts) {
                    System.out.println((verdict.compatible() ? "ok      " : "BREAKS  ") + verdict.subject() + " (" + verdict.path()
                            + ") against " + verdict.against());
                    verdict.problems().forEach(problem -> System.out.println("          " + problem));
                    broken |= !verdict.compatible();
                }
                return broken ? 1 : 0;
            }

            private Map<String, Object> kafkaConfig() throws IOException {
                Map<String, Object> config = new HashMap<>();
                if (kafkaConfig != null) {
                    Properties properties = new Properties();
                    try (Reader reader = Files.newBufferedReader(kafkaConfig)) {
                        properties.load(reader);
                    }
                    properties.forEach((k, v) -> config.put(k.toString(), v));
                }
                config.put("bootstrap.servers", bootstrap);
                return config;
            }
        }
    }
}
