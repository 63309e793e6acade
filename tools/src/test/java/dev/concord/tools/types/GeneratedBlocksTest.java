package dev.concord.tools.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GeneratedBlocksTest {

    private static final Map<String, Function<String, List<String>>> TEMPLATES = Map.of("names", block -> List.of("- a", "- b"));

    @Test
    void shouldReplaceWhatIsBetweenTheMarkersIndentedLikeTheOpeningOneAndKeepTheRest() {
        String text = """
                kept: 1
                list:
                  # >>> concord types sync: names (generated)
                  - stale
                  # <<< concord types sync
                  - hand-written
                """;

        assertThat(GeneratedBlocks.fill("f.yaml", text, TEMPLATES)).isEqualTo("""
                kept: 1
                list:
                  # >>> concord types sync: names (generated)
                  - a
                  - b
                  # <<< concord types sync
                  - hand-written
                """);
    }

    @Test
    void shouldNameTheFileAndLineOfABlockItCannotFill() {
        assertThatThrownBy(() -> GeneratedBlocks.fill("f.yaml", "x\n# >>> concord types sync: other\n# <<< concord types sync\n", TEMPLATES))
                .hasMessageContaining("f.yaml line 2").hasMessageContaining("'other'");
        assertThatThrownBy(() -> GeneratedBlocks.fill("f.yaml", "# >>> concord types sync: names\n- a\n", TEMPLATES))
                .hasMessageContaining("f.yaml line 1").hasMessageContaining("no closing");
    }
}
