package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.types.MergePolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LastWriterWinsTopologyTest {

    private final TopologyFixture f = new TopologyFixture(MergePolicy.LAST_WRITER_WINS);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldPublishVersionOneForANewEntity() {
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "writer-a", "Ada"), T0);

        EntityState state = f.states.readValue();
        assertThat(state.getVersion()).isEqualTo(1);
        assertThat(f.field(state, "name")).isEqualTo("Ada");
        assertThat(f.store.get("c-1")).as("the store holds the published state plus its dedup memory")
                .usingRecursiveComparison().ignoringFields("recentEventIds").isEqualTo(state);
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldKeepNewerStateWhenOlderUpdateArrivesLate() {
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "writer-a", "Newer"), T0);
        EntityEvent late = f.upsert("c-1", 1_000, "writer-b", "Older");
        f.events.pipeInput("c-1", late, T0.plusSeconds(1));

        assertThat(f.field(f.states.readValue(), "name")).isEqualTo("Newer");
        assertThat(f.field(f.readUnchangedState("c-1", 1), "name")).as("the late, older update changes nothing").isEqualTo("Newer");
        assertThat(f.store.get("c-1").getVersion()).isEqualTo(1);
        assertThat(f.field(f.store.get("c-1"), "name")).isEqualTo("Newer");

        ConflictRecord conflict = f.conflicts.readValue();
        assertThat(conflict.getScope()).isEqualTo(ConflictScope.RECORD);
        assertThat(conflict.getRule()).isEqualTo("last-writer-wins");
        assertThat(conflict.getLoser().getEventId()).isEqualTo(late.getEventId());
        assertThat(conflict.getWinner().getWriter()).isEqualTo("writer-a");
        assertThat(f.decode(conflict.getLoserPayload()).get("name")).hasToString("Older");
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldBreakEqualClocksByWriterIdInEitherArrivalOrder() {
        f.events.pipeInput("c-1", f.upsert("c-1", 5_000, "writer-b", "B"), T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 5_000, "writer-a", "A"), T0);
        f.events.pipeInput("c-2", f.upsert("c-2", 5_000, "writer-a", "A"), T0);
        f.events.pipeInput("c-2", f.upsert("c-2", 5_000, "writer-b", "B"), T0);

        assertThat(f.states.readKeyValuesToList())
                .extracting(kv -> kv.key + "=" + f.field(kv.value, "name") + "@v" + kv.value.getVersion())
                .containsExactly("c-1=B@v1", "c-1=B@v1", "c-2=A@v1", "c-2=B@v2");
        assertThat(f.field(f.store.get("c-1"), "name")).isEqualTo("B");
        assertThat(f.field(f.store.get("c-2"), "name")).isEqualTo("B");
        assertThat(f.conflicts.readValue().getLoser().getWriter()).isEqualTo("writer-a");
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldCountVersionsUpByOnePerAcceptedChange() {
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "writer-a", "one"), T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "writer-a", "two"), T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 3_000, "writer-b", "three"), T0);

        assertThat(f.states.readValuesToList()).extracting(EntityState::getVersion).containsExactly(1L, 2L, 3L);
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldRefusePatchesWhichNeedFieldMerge() {
        f.events.pipeInput("c-1", f.patch("c-1", 1_000, "writer-a", java.util.Map.of("name", "Ada")), T0);

        assertThat(f.rejected.readValue().getReason()).hasToString("PATCH_NOT_SUPPORTED");
        assertThat(f.store.get("c-1")).isNull();
        assertThat(f.allOutputsEmpty()).isTrue();
    }
}
