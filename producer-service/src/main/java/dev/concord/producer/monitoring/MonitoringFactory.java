package dev.concord.producer.monitoring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** The write side's meters, registered with the service's Prometheus registry. */
@Factory
public class MonitoringFactory {

    @Singleton
    public WriteMetrics writeMetrics(MeterRegistry registry) {
        return new WriteMetrics(registry);
    }
}
