package dev.concord.processor.runtime;

import dev.concord.processor.topology.StateStoreKind;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.security.SettingsFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sync rules' settings come from configuration, and their defaults from one place: SyncSettings.defaults(). */
class SyncSettingsConfigurationTest {

    @Test
    void shouldTakeTheDefaultsForWhatTheServiceConfigurationLeavesEmpty() {
        assertThat(settings(Map.of())).isEqualTo(SyncSettings.defaults());
    }

    @Test
    void shouldTakeWhatIsSet() {
        SyncSettings settings = settings(Map.of("concord.sync.recent-event-ids", "4", "concord.sync.max-clock-skew", "30s"));

        assertThat(settings.recentEventIds()).isEqualTo(4);
        assertThat(settings.maxClockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.tombstoneRetention()).isEqualTo(SyncSettings.defaults().tombstoneRetention());
    }

    @Test
    void shouldRefuseToStartWithAValueThatIsNotOne() {
        // Named as the operator sets it: application.yml maps CONCORD_TOMBSTONE_RETENTION, not the derived name.
        assertThatThrownBy(() -> settings(Map.of("concord.sync.tombstone-retention", "soon")))
                .hasMessageStartingWith("CONCORD_TOMBSTONE_RETENTION (concord.sync.tombstone-retention) is 'soon'")
                .hasMessageContaining("duration");
    }

    @Test
    void shouldKeepStatesInRocksDbUnlessTheOperatorChoosesTheHeap() {
        assertThat(settings(Map.of()).stateStore()).isEqualTo(StateStoreKind.ROCKSDB);
        assertThat(settings(Map.of("concord.sync.state-store", "in-memory")).stateStore()).isEqualTo(StateStoreKind.IN_MEMORY);
        assertThatThrownBy(() -> settings(Map.of("concord.sync.state-store", "redis")))
                .hasMessageStartingWith("CONCORD_STATE_STORE (concord.sync.state-store) is 'redis'")
                .hasMessageContaining("rocksdb or in-memory");
    }

    /** The service's own application.yml (on the classpath), with {@code overrides} on top. */
    private static SyncSettings settings(Map<String, Object> overrides) {
        try (ApplicationContext context = ApplicationContext.builder().properties(overrides).build()) {
            Environment environment = context.getEnvironment().start();
            return new ProcessorFactory().syncSettings(new SettingsFactory().settings(environment));
        }
    }
}
