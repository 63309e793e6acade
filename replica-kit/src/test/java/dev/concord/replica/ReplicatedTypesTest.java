package dev.concord.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.contract.types.EntityTypes;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicatedTypesTest {

    private final EntityTypes declared = EntityTypes.load(EntityTypes.DEFAULT_DECLARATION);

    @Test
    void shouldReplicateEveryDeclaredTypeWhenNoneIsNamed() {
        ReplicatedTypes types = ReplicatedTypes.select(declared, List.of(""));

        assertThat(types.names()).isEqualTo(declared.names()).contains("customer", "order");
        assertThat(types.stateTopics()).contains("concord.state.customer", "concord.state.order");
    }

    @Test
    void shouldReplicateOnlyTheNamedTypes() {
        ReplicatedTypes types = ReplicatedTypes.select(declared, List.of(" order "));

        assertThat(types.names()).containsExactly("order");
        assertThat(types.find("customer")).isEmpty();
        assertThat(types.forStateTopic("concord.state.order").name()).isEqualTo("order");
    }

    @Test
    void shouldRefuseUndeclaredTypeNamingTheDeclaredOnes() {
        assertThatThrownBy(() -> ReplicatedTypes.select(declared, List.of("unicorn")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'unicorn'")
                .hasMessageContaining(String.join(", ", declared.names()));
    }
}
