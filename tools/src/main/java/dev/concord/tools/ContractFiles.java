package dev.concord.tools;

import java.nio.file.Path;

/** Where the contract's sources are in the repository: the type declaration, and the file behind a schema location. */
public final class ContractFiles {

    /** The contract's type declaration, repository-relative. */
    public static final String DECLARATION = "schemas/src/main/resources/concord-types.json";

    private static final String CLASSPATH = "classpath:";
    private static final String AVRO = "classpath:avro/";

    private ContractFiles() {
    }

    /**
     * The repository-relative file behind a declaration's schema location: {@code classpath:avro/...} is under
     * {@code schemas/src/main/avro} (the schemas module packs it there), other {@code classpath:} resources under
     * {@code schemas/src/main/resources}, and a plain path is relative to the declaration.
     */
    public static String repositoryPath(String location) {
        if (location.startsWith(AVRO)) {
            return "schemas/src/main/avro/" + location.substring(AVRO.length());
        }
        if (location.startsWith(CLASSPATH)) {
            return "schemas/src/main/resources/" + location.substring(CLASSPATH.length());
        }
        return Path.of(DECLARATION).getParent().resolve(location).normalize().toString();
    }
}
