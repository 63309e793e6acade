package org.apache.kafka.common.utils;

/**
 * Compatibility shim, not Concord code: Kafka 4.x moved this class to
 * {@code org.apache.kafka.common.utils.internals.Sanitizer}, while Debezium 3.6 (built against the old
 * location) still calls it when it registers its JMX metrics — without it the CDC engine cannot start
 * on the Kafka 4.4 clients the rest of Concord uses. Delegates every method; remove it once Debezium
 * is built against Kafka 4.
 */
public final class Sanitizer {

    private Sanitizer() {
    }

    public static String sanitize(String name) {
        return org.apache.kafka.common.utils.internals.Sanitizer.sanitize(name);
    }

    public static String desanitize(String name) {
        return org.apache.kafka.common.utils.internals.Sanitizer.desanitize(name);
    }

    public static String jmxSanitize(String name) {
        return org.apache.kafka.common.utils.internals.Sanitizer.jmxSanitize(name);
    }
}
