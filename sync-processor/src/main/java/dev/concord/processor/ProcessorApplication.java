package dev.concord.processor;

import dev.concord.contract.AvroTrust;
import io.micronaut.runtime.Micronaut;

/**
 * Starts sync-processor: the Kafka Streams topology, its health and metrics endpoints, and the state query
 * endpoint {@code GET /v1/state/{type}/{id}} ({@code dev.concord.processor.query}), which any instance answers,
 * forwarding the query to the instance that owns the key when it is not itself the owner.
 */
public final class ProcessorApplication {

    private ProcessorApplication() {
    }

    public static void main(String[] args) {
        AvroTrust.trustConcordPackages();
        Micronaut.run(ProcessorApplication.class, args);
    }
}
