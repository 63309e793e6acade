package dev.concord.producer.outcome;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.outcomes.DecisionLedgerReader;
import dev.concord.contract.outcomes.WriteOutcomes;
import dev.concord.contract.settings.Settings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;

/**
 * The outcomes of recent writes, read from what sync-processor writes ({@link DecisionLedgerReader}), and how long a
 * request may wait for one. Every instance reads them all, so any instance answers for a write another one took.
 */
@Factory
public class OutcomeFactory {

    @Singleton
    public WriteOutcomes writeOutcomes(Settings settings, MeterRegistry registry) {
        WriteOutcomes outcomes = WriteOutcomes.configured(settings);
        Gauge.builder("concord_write_outcomes_held", outcomes, WriteOutcomes::size)
                .description("Outcomes of recent writes this instance can answer for").register(registry);
        Gauge.builder("concord_write_outcomes_waiting", outcomes, WriteOutcomes::waiting)
                .description("Requests waiting for a write's outcome (Prefer: wait)").register(registry);
        return outcomes;
    }

    /** Eager: an instance answers for writes decided before it started only if it reads them from the start. */
    @Context
    @Bean(preDestroy = "close")
    public DecisionLedgerReader decisionLedgerReader(ConcordContract contract, WriteOutcomes outcomes) {
        return new DecisionLedgerReader(contract.kafkaClientConfig(), contract.topics(), contract.types().all(), outcomes,
                Clock.systemUTC()).start();
    }

    @Singleton
    public DecisionWaits decisionWaits(WriteOutcomes outcomes, Settings settings) {
        return new DecisionWaits(outcomes, settings.duration("concord.outcomes.max-wait", Duration.ofSeconds(30)));
    }
}
