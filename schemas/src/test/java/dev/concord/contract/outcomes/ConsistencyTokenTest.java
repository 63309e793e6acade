package dev.concord.contract.outcomes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConsistencyTokenTest {

    @Test
    void shouldReadBackWhatItWroteAndJoinSeveralTokensIntoOneSession() {
        String eventId = UUID.randomUUID().toString();
        ConsistencyToken undecided = ConsistencyToken.of(List.of(ConsistencyToken.Write.undecided("customer", "c/1, ä", eventId)));
        ConsistencyToken decided = ConsistencyToken.of(List.of(ConsistencyToken.Write.decided("order", "o-1", 7)));

        ConsistencyToken session = ConsistencyToken.parse(undecided.text() + ", " + decided.text() + "," + decided.text());

        assertThat(session.writes()).containsExactly(ConsistencyToken.Write.undecided("customer", "c/1, ä", eventId),
                ConsistencyToken.Write.decided("order", "o-1", 7));
        assertThat(session.text()).doesNotContain(",").doesNotContain("=");
    }

    @Test
    void shouldRefuseAnythingItDidNotIssue() {
        String valid = ConsistencyToken.of(List.of(ConsistencyToken.Write.decided("order", "o-1", 7))).text();
        for (String bad : List.of("", "  ", "v:7", "ct1.%%%", "ct1." + b64("{}"), "ct1." + b64("[]"),
                "ct1." + b64("[[\"Order\",\"o-1\",\"v:1\"]]"), "ct1." + b64("[[\"order\",\"\",\"v:1\"]]"),
                "ct1." + b64("[[\"order\",\"o-1\",\"v:-1\"]]"), "ct1." + b64("[[\"order\",\"o-1\",\"e:nope\"]]"),
                "ct1." + b64("[[\"order\",\"o-1\",7]]"), valid + ",", "x".repeat(ConsistencyToken.MAX_TEXT_LENGTH + 1))) {
            assertThatThrownBy(() -> ConsistencyToken.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldReadTheWaitPreferenceAmongOthersAndBoundIt() {
        Duration bound = Duration.ofSeconds(30);
        assertThat(WaitPreference.of(null, bound)).isEmpty();
        assertThat(WaitPreference.of("return=minimal", bound)).isEmpty();
        assertThat(WaitPreference.of("respond-async, wait=5", bound)).contains(Duration.ofSeconds(5));
        assertThat(WaitPreference.of("Wait=\"12\"", bound)).contains(Duration.ofSeconds(12));
        assertThat(WaitPreference.of("wait=600", bound)).contains(bound);
        assertThatThrownBy(() -> WaitPreference.of("wait=soon", bound)).hasMessageContaining("wait=soon");
        assertThatThrownBy(() -> WaitPreference.of("wait=-1", bound)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
