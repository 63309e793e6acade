package dev.concord.consumer.consistency;

import dev.concord.consumer.feed.ChangeNotifier;
import dev.concord.consumer.store.EntityReader;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.outcomes.DecisionLedgerReader;
import dev.concord.contract.outcomes.WriteOutcomes;
import dev.concord.contract.settings.Settings;
import dev.concord.replica.ReplicatedTypes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * Read-your-writes for this replica: the outcomes of recent writes of the replicated types (to resolve a token that
 * names a write by its event id), read as producer-service reads them, and the bound a read waits.
 */
@Factory
public class ConsistencyFactory {

    @Singleton
    public WriteOutcomes writeOutcomes(Settings settings, MeterRegistry registry) {
        WriteOutcomes outcomes = WriteOutcomes.configured(settings);
        Gauge.builder("concord_write_outcomes_held", outcomes, WriteOutcomes::size)
                .description("Outcomes of recent writes this replica can resolve consistency tokens with").register(registry);
        return outcomes;
    }

    /** Eager: a token issued before this instance started resolves only if it reads from before its start. */
    @Context
    @Bean(preDestroy = "close")
    public DecisionLedgerReader decisionLedgerReader(ConcordContract contract, ReplicatedTypes types, WriteOutcomes outcomes) {
        return new DecisionLedgerReader(contract.kafkaClientConfig(), contract.topics(), types.all(), outcomes, Clock.systemUTC())
                .start();
    }

    @Singleton
    public ReadYourWrites readYourWrites(WriteOutcomes outcomes, ChangeNotifier notifier, EntityReader reader, ReplicatedTypes types,
                                         Settings settings, @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        return new ReadYourWrites(outcomes, notifier, reader, types,
                settings.duration("concord.read-your-writes.max-wait", Duration.ofSeconds(10)), blocking);
    }
}
