package dev.concord.tools.types;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** The hand-written manifests' settings the sync follows, read as YAML (comments, quoting and layout as anyone writes them). */
final class YamlFiles {

    private YamlFiles() {
    }

    /** Every document of the file ({@code file} relative to {@code repo}) that is a mapping, in order. */
    static List<Map<?, ?>> documents(Path repo, String file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false); // as kustomize and kubectl: a second value for a key is an error, not an override
        try (Reader reader = Files.newBufferedReader(repo.resolve(file), StandardCharsets.UTF_8)) {
            List<Map<?, ?>> documents = new ArrayList<>();
            for (Object document : new Yaml(new SafeConstructor(options)).loadAll(reader)) {
                if (document instanceof Map<?, ?> mapping) {
                    documents.add(mapping);
                }
            }
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (YAMLException unreadable) {
            throw new IllegalStateException(file + " cannot be read as YAML: " + unreadable.getMessage(), unreadable);
        }
    }

    /** The items of the list under {@code key}; none when it is absent or not a list. */
    static List<?> list(Map<?, ?> mapping, String key) {
        return mapping.get(key) instanceof List<?> items ? items : List.of();
    }
}
