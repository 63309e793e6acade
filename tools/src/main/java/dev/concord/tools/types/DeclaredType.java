package dev.concord.tools.types;

import java.nio.file.Path;

/**
 * One entry of the contract's type declaration, as the manifests need it.
 *
 * @param schemaSource the schema's file in the repository (a {@code classpath:avro/...} location maps to
 *                     {@code schemas/src/main/avro/...})
 */
record DeclaredType(String name, Path schemaSource, String policy, int partitions) {

    /** The schema's name in deploy/k8s/base/types, where the mounted declaration finds it beside itself. */
    String schemaFileName() {
        return schemaSource.getFileName().toString();
    }
}
