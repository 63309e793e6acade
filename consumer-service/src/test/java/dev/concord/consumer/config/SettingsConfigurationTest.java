package dev.concord.consumer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.consumer.RunningReplica;
import dev.concord.consumer.feed.FeedSettings;
import dev.concord.replica.testing.TestTypes;
import dev.concord.security.SettingsFactory;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** consumer-service's settings as its own application.yml maps them: defaults written once, bad values refused by name. */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class SettingsConfigurationTest {

    @Test
    void shouldTakeTheFeedDefaultsForWhatIsNotSetAndWhatIsSet() {
        assertThat(feed(Map.of())).isEqualTo(FeedSettings.defaults());
        assertThat(feed(Map.of("concord.feed.max-wait", "45s")).maxWait()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void shouldRefuseAValueThatIsNotOneNamingTheVariable() {
        assertThatThrownBy(() -> feed(Map.of("concord.feed.max-wait", "soon")))
                .hasMessageStartingWith("CONCORD_FEED_MAX_WAIT (concord.feed.max-wait) is 'soon'");
        assertThatThrownBy(() -> feed(Map.of("concord.feed.max-streams", "0")))
                .hasMessageStartingWith("CONCORD_FEED_MAX_STREAMS (concord.feed.max-streams) is '0'");
    }

    @Test
    void shouldStopTheServiceAtStartUpOnABadValueNamingTheVariable() {
        // A setting read deep in the security module, which would otherwise fail only the first ticket request.
        TestTypes types = TestTypes.declare(1, "badsetting");
        assertThatThrownBy(() -> RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), PostgresExtension.createDatabase(),
                KafkaTestClients.uniqueId("bad"), types, Map.of("concord.security.stream-tickets.ttl", "soon")).close())
                .hasStackTraceContaining("CONCORD_STREAM_TICKET_TTL (concord.security.stream-tickets.ttl) is 'soon'");
    }

    /** The feed's settings as the service reads them at start-up: its application.yml, {@code overrides} on top. */
    private static FeedSettings feed(Map<String, Object> overrides) {
        try (ApplicationContext context = ApplicationContext.builder().properties(overrides).build()) {
            return FeedSettings.from(new SettingsFactory().settings(context.getEnvironment().start()));
        }
    }
}
