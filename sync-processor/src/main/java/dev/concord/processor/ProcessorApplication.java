package dev.concord.processor;

import dev.concord.contract.AvroTrust;
import io.micronaut.runtime.Micronaut;

/** Starts sync-processor: the Kafka Streams topology plus its health and (later) query endpoints. */
public final class ProcessorApplication {

    private ProcessorApplication() {
    }

    public static void main(String[] args) {
        AvroTrust.trustConcordPackages();
        Micronaut.run(ProcessorApplication.class, args);
    }
}
