package dev.concord.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


import java.util.List;
import org.junit.jupiter.api.Test;

/** Grants per type and action, and hashed API keys as configured. */
class GrantsAndKeysTest {

    @Test
    void shouldAllowByTypeAndActionWithWildcards() {
        Grants customerWriter = Grants.parse(List.of("customer:write"));
        assertThat(customerWriter.allows("customer", Action.WRITE)).isTrue();
        assertThat(customerWriter.allows("customer", Action.WRITE)).isTrue();
        assertThat(customerWriter.allows("customer", Action.DELETE)).isFalse();
        assertThat(customerWriter.allows("order", Action.WRITE)).isFalse();

        assertThat(Grants.parse(List.of("order:delete")).allows("order", Action.DELETE)).isTrue();
        assertThat(Grants.parse(List.of("order:*")).allows("order", Action.DELETE)).isTrue();
        assertThat(Grants.parse(List.of("*:write")).allows("order", Action.WRITE)).isTrue();
        assertThat(Grants.parse(List.of("*:*")).allows("anything", Action.DELETE)).isTrue();
        assertThat(Grants.parse(List.of("*:*")).trustedWriter()).isFalse();
        assertThat(Grants.parse(List.of("Trusted-Writer")).trustedWriter()).isTrue();
    }

    @Test
    void shouldFindAClientByItsKeyWhileHoldingOnlyDigests() {
        String config = "[{\"client\": \"billing\", \"sha256\": \"" + ApiKeys.sha256Hex("s3cret") + "\", \"grants\": [\"order:write\"]}]";
        ApiKeys keys = ApiKeys.load(config, null, "dev-key");

        assertThat(keys.find("s3cret")).hasValueSatisfying(c -> {
            assertThat(c.id()).isEqualTo("billing");
            assertThat(c.grants().allows("order", Action.WRITE)).isTrue();
        });
        assertThat(keys.find("S3CRET")).isEmpty();
        assertThat(keys.find("dev-key")).hasValueSatisfying(c -> {
            assertThat(c.id()).isEqualTo("dev");
            assertThat(c.grants().allows("order", Action.DELETE)).isTrue();
            assertThat(c.grants().trustedWriter()).isTrue();
        });
        // printf %s s3cret | sha256sum
        assertThat(ApiKeys.sha256Hex("s3cret")).isEqualTo("1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0");
    }

    @Test
    void shouldRefuseToStartWithKeysItCannotRead() {
        assertThatThrownBy(() -> ApiKeys.load("{}", null, null)).hasMessageContaining("JSON array");
        assertThatThrownBy(() -> ApiKeys.load("[{\"client\": \"x\", \"sha256\": \"abc\", \"grants\": []}]", null, null))
                .hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> ApiKeys.load("[{\"client\": \"x\", \"sha256\": \"" + ApiKeys.sha256Hex("k") + "\"}]", null, null))
                .hasMessageContaining("'grants' must be an array");
    }
}
