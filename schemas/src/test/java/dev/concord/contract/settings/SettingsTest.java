package dev.concord.contract.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsTest {

    private static Settings of(Map<String, String> values) {
        return new Settings(name -> Optional.ofNullable(values.get(name)));
    }

    @Test
    void shouldTakeWhatIsSetAndTheDefaultForWhatIsNotOrBlank() {
        Settings settings = of(Map.of("concord.feed.max-wait", "45s", "concord.feed.page-size", "50", "concord.x.blank", " ",
                "concord.outbox.lease", "PT2M", "concord.outbox.create-schema", "FALSE"));

        assertThat(settings.duration("concord.feed.max-wait", Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(45));
        assertThat(settings.count("concord.feed.page-size", 200, 1, 10_000)).isEqualTo(50);
        assertThat(settings.count("concord.feed.max-limit", 1000, 1, 10_000)).isEqualTo(1000);
        assertThat(settings.text("concord.x.blank", "fallback")).isEqualTo("fallback");
        assertThat(settings.duration("concord.outbox.lease", Duration.ofSeconds(30))).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.flag("concord.outbox.create-schema", true)).isFalse();
        assertThat(of(Map.of("rate", "0.2")).positive("rate", 500)).isEqualTo(0.2);
        assertThat(Map.of("500ms", Duration.ofMillis(500), "5m", Duration.ofMinutes(5), "2h", Duration.ofHours(2), "7d", Duration.ofDays(7)))
                .allSatisfy((text, expected) -> assertThat(of(Map.of("d", text)).duration("d", Duration.ZERO.plusSeconds(1))).isEqualTo(expected));
    }

    @Test
    void shouldNameTheVariableApplicationYmlMapsWhereItIsNotTheDerivedOne() {
        String yml = """
                micronaut:
                  server:
                    port: ${PORT:8081}
                concord:
                  # the budget
                  security:
                    rate-limit:
                      per-second: ${CONCORD_RATE_LIMIT_PER_SECOND:}
                  kafka:
                    bootstrap.servers: ${KAFKA_BOOTSTRAP_SERVERS:`localhost:9092`}
                  feed:
                    max-wait: 30s
                """;
        Map<String, String> names = Settings.environmentNamesOf(yml);
        assertThat(names).containsEntry("micronaut.server.port", "PORT")
                .containsEntry("concord.security.rate-limit.per-second", "CONCORD_RATE_LIMIT_PER_SECOND")
                .containsEntry("concord.kafka.bootstrap.servers", "KAFKA_BOOTSTRAP_SERVERS")
                .doesNotContainKey("concord.feed.max-wait");

        Settings settings = new Settings(name -> Optional.of("lots"), names);
        assertThatThrownBy(() -> settings.number("concord.security.rate-limit.per-second", 500, 1, Long.MAX_VALUE))
                .hasMessageStartingWith("CONCORD_RATE_LIMIT_PER_SECOND (concord.security.rate-limit.per-second) is 'lots'");
    }

    @Test
    void shouldRefuseAValueThatDoesNotConvertNamingTheEnvironmentVariable() {
        Settings settings = of(Map.of("concord.feed.max-wait", "soon", "concord.feed.page-size", "many",
                "concord.feed.max-streams", "0", "concord.outbox.create-schema", "yes"));

        assertThatThrownBy(() -> settings.duration("concord.feed.max-wait", Duration.ofSeconds(30)))
                .hasMessage("CONCORD_FEED_MAX_WAIT (concord.feed.max-wait) is 'soon', which is not a positive duration, e.g. 500ms, 30s, 5m, 2h, 7d");
        assertThatThrownBy(() -> settings.count("concord.feed.page-size", 200, 1, 10_000))
                .hasMessageContaining("CONCORD_FEED_PAGE_SIZE").hasMessageContaining("a whole number");
        assertThatThrownBy(() -> settings.count("concord.feed.max-streams", 1000, 1, 100_000))
                .hasMessageContaining("CONCORD_FEED_MAX_STREAMS").hasMessageContaining("from 1 to 100000");
        assertThatThrownBy(() -> settings.flag("concord.outbox.create-schema", true))
                .hasMessageContaining("CONCORD_OUTBOX_CREATE_SCHEMA").hasMessageContaining("true or false");
    }
}
