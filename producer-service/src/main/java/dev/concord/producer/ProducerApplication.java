package dev.concord.producer;

import dev.concord.contract.AvroTrust;
import io.micronaut.runtime.Micronaut;

/**
 * Starts producer-service: the HTTP door through which writers publish entity changes to
 * {@code concord.events.<type>}. Configuration comes from {@code application.yml} and the
 * environment ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code PORT}, {@code CONCORD_TYPES}, {@code CONCORD_WRITER_ID}).
 */
public final class ProducerApplication {

    private ProducerApplication() {
    }

    public static void main(String[] args) {
        // Before any Avro class loads: Avro 1.12 only instantiates generated classes from trusted packages.
        AvroTrust.trustConcordPackages();
        Micronaut.run(ProducerApplication.class, args);
    }
}
