package dev.concord.replica.testing;

import dev.concord.testsupport.KafkaTestClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Entity types of a test's own, so its state topics hold only what it wrote: each name is unique per
 * run and every type uses the customer schema. The declaration is written to a temporary file that
 * both the test's contract ({@code EntityTypes.load(file)}) and the replica ({@code concord.types}) read.
 */
public record TestTypes(Path declaration, List<String> names) {

    /** @param prefixes one type per prefix, named {@code <prefix>-<8 hex>} */
    public static TestTypes declare(int partitions, String... prefixes) {
        return declare(partitions, "skip", List.of(prefixes));
    }

    /** Types declared {@code "poison": "park"}: a poisoned state holds back the entity's later ones. */
    public static TestTypes declareParking(int partitions, String... prefixes) {
        return declare(partitions, "park", List.of(prefixes));
    }

    private static TestTypes declare(int partitions, String poison, List<String> prefixes) {
        List<String> names = prefixes.stream().map(KafkaTestClients::uniqueId).toList();
        String json = names.stream()
                .map(name -> "{\"name\": \"" + name + "\", \"schema\": \"classpath:avro/domain/customer.avsc\", "
                        + "\"policy\": \"last-writer-wins\", \"partitions\": " + partitions + ", \"poison\": \"" + poison + "\"}")
                .collect(Collectors.joining(",\n", "{\"types\": [\n", "\n]}\n"));
        try {
            Path file = Files.createTempFile("concord-types-", ".json");
            Files.writeString(file, json);
            file.toFile().deleteOnExit();
            return new TestTypes(file, names);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String location() {
        return declaration.toString();
    }

    public String name(int index) {
        return names.get(index);
    }
}
