package dev.concord.tools.schemas;

import dev.concord.contract.catalog.CompatibilityMode;
import dev.concord.contract.catalog.SchemaCatalog;
import dev.concord.contract.catalog.SchemaEvolution;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./concord schemas check}: the repository's schemas (envelopes and declared types, as the working
 * tree has them) against the versions already in use, so that a breaking change fails a build instead of a
 * deploy. Two sources of "in use": a git revision (what was merged, e.g. {@code origin/main}) and the live
 * catalog ({@code concord.schemas} on a cluster), checked with the catalog's own rule.
 */
public final class SchemasCheck {

    /** One subject's verdict: {@code problems} empty when compatible; {@code against} names what it was checked against. */
    public record Verdict(String subject, String path, String against, List<String> problems) {

        public boolean compatible() {
            return problems.isEmpty();
        }
    }

    private final Path repo;

    public SchemasCheck(Path repo) {
        this.repo = repo.toAbsolutePath().normalize();
    }

    /** Against the schemas at a git revision; a subject new since then has nothing to break. */
    public List<Verdict> againstRevision(String revision, CompatibilityMode mode) {
        if (run("rev-parse", "--verify", "--quiet", revision + "^{commit}") == null) {
            throw new IllegalArgumentException("'" + revision + "' is not a commit of the repository at " + repo);
        }
        Map<String, SchemaSources.Source> now = workingTree();
        Map<String, SchemaSources.Source> then = SchemaSources.read(SchemaSources.contractFiles(repo), path -> gitShow(revision, path));
        List<Verdict> verdicts = new ArrayList<>();
        now.forEach((subject, source) -> {
            SchemaSources.Source earlier = then.get(subject);
            if (earlier == null) {
                verdicts.add(new Verdict(subject, source.path(), "nothing at " + revision + " (new)", List.of()));
            } else {
                verdicts.add(new Verdict(subject, source.path(), earlier.path() + " at " + revision,
                        SchemaEvolution.problems(source.schema(), List.of(earlier.schema()), mode)));
            }
        });
        return verdicts;
    }

    /** Against every schema the catalog holds for each subject, with its compatibility mode. */
    public List<Verdict> againstCatalog(SchemaCatalog catalog) {
        List<Verdict> verdicts = new ArrayList<>();
        workingTree().forEach((subject, source) -> verdicts.add(new Verdict(subject, source.path(),
                "the live catalog (" + catalog.mode() + ")", catalog.check(subject, source.schema()))));
        return verdicts;
    }

    private Map<String, SchemaSources.Source> workingTree() {
        return SchemaSources.read(SchemaSources.contractFiles(repo), path -> {
            Path file = repo.resolve(path);
            try {
                return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    // A path's text at a revision, or null when the revision has no such file.
    private String gitShow(String revision, String path) {
        return run("show", revision + ":" + path);
    }

    // git's standard output, or null when it exits with an error.
    private String run(String... arguments) {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
        command.addAll(List.of(arguments));
        try {
            Process git = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = git.getInputStream().readAllBytes();
            if (!git.waitFor(30, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish");
            }
            return git.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run git (" + String.join(" ", arguments) + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running git " + String.join(" ", arguments), e);
        }
    }
}
