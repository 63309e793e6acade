package dev.concord.contract;

/**
 * Avro 1.12 instantiates generated classes only from packages it is told to trust (a defence
 * against deserialization gadgets). Every Concord process calls {@link #trustConcordPackages()}
 * first thing in {@code main}, before any Avro class loads.
 */
public final class AvroTrust {

    public static final String PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";
    public static final String CONCORD_PACKAGES = "dev.concord.contract.avro,dev.concord.domain";

    private AvroTrust() {
    }

    public static void trustConcordPackages() {
        String current = System.getProperty(PROPERTY);
        System.setProperty(PROPERTY, current == null || current.isBlank() ? CONCORD_PACKAGES : current + "," + CONCORD_PACKAGES);
    }
}
