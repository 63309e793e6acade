package dev.concord.examples.directory;

import dev.concord.contract.AvroTrust;
import io.micronaut.runtime.Micronaut;

/** A team's service that keeps Concord's customers in its own table and answers who lives where. */
public final class CustomerDirectoryApplication {

    private CustomerDirectoryApplication() {
    }

    public static void main(String[] args) {
        AvroTrust.trustConcordPackages();
        Micronaut.run(CustomerDirectoryApplication.class, args);
    }
}
