package dev.concord.producer;

import dev.concord.contract.settings.Settings;
import dev.concord.producer.outbox.OutboxSettings;
import dev.concord.producer.publish.RateLimiter;
import dev.concord.security.SettingsFactory;
import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** producer-service's settings as its own application.yml maps them: defaults written once, bad values refused by name. */
class SettingsConfigurationTest {

    @Test
    void shouldTakeTheDefaultsForWhatIsNotSet() {
        OutboxSettings outbox = withSettings(Map.of(), OutboxSettings::from);

        assertThat(outbox.relayId()).isEqualTo("producer-1");
        assertThat(outbox.batchSize()).isEqualTo(200);
        assertThat(outbox.lease()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldRefuseAValueThatIsNotOneNamingTheVariableTheOperatorSets() {
        // application.yml maps CONCORD_RATE_LIMIT_PER_SECOND to concord.security.rate-limit.per-second
        assertThatThrownBy(() -> withSettings(Map.of("concord.security.rate-limit.per-second", "lots"), RateLimiter::new))
                .hasMessageStartingWith("CONCORD_RATE_LIMIT_PER_SECOND (concord.security.rate-limit.per-second) is 'lots', which is not a positive number");
        assertThatThrownBy(() -> withSettings(Map.of("concord.outbox.lease", "forever"), OutboxSettings::from))
                .hasMessageStartingWith("CONCORD_OUTBOX_LEASE (concord.outbox.lease) is 'forever'");
        assertThatThrownBy(() -> withSettings(Map.of("concord.writer-id", "two words"), OutboxSettings::from))
                .hasMessageStartingWith("CONCORD_WRITER_ID (concord.writer-id) must be");
    }

    private static <T> T withSettings(Map<String, Object> overrides, Function<Settings, T> read) {
        try (ApplicationContext context = ApplicationContext.builder().properties(overrides).build()) {
            return read.apply(new SettingsFactory().settings(context.getEnvironment().start()));
        }
    }
}
