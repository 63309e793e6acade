package dev.concord.consumer;

import dev.concord.contract.AvroTrust;
import io.micronaut.runtime.Micronaut;

/**
 * The consumer-service: a replica that applies {@code concord.state.<type>} to its own PostgreSQL
 * store and serves the entities over HTTP. Trusts Concord's Avro packages before any Avro class
 * loads, then starts Micronaut.
 */
public final class ConsumerApplication {

    private ConsumerApplication() {
    }

    public static void main(String[] args) {
        AvroTrust.trustConcordPackages();
        Micronaut.run(ConsumerApplication.class, args);
    }
}
