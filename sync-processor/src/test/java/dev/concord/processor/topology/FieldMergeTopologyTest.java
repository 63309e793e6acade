package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.types.MergePolicy;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FieldMergeTopologyTest {

    private final TopologyFixture f = new TopologyFixture(MergePolicy.FIELD_MERGE);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldKeepConcurrentEditsOfDifferentFields() {
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "crm", "Ada", "ada@old.example"), T0);
        // Support changes the phone, sales renames: concurrently, and the older one arrives last.
        f.events.pipeInput("c-1", f.patch("c-1", 2_100, "sales", Map.of("name", "Ada Lovelace")), T0);
        f.events.pipeInput("c-1", f.patch("c-1", 2_000, "support", Map.of("phone", "+44 20 1234")), T0);

        EntityState merged = f.store.get("c-1");
        assertThat(f.field(merged, "name")).isEqualTo("Ada Lovelace");
        assertThat(f.field(merged, "phone")).isEqualTo("+44 20 1234");
        assertThat(f.field(merged, "email")).isEqualTo("ada@old.example");
        assertThat(merged.getVersion()).isEqualTo(3);
        assertThat(merged.getWriter()).as("the state names its newest write").isEqualTo("sales");
        assertThat(merged.getFieldStamps().get("phone").getWriter()).isEqualTo("support");
        assertThat(f.states.readValuesToList()).hasSize(3);
        assertThat(f.allOutputsEmpty()).as("no field lost, so no conflict").isTrue();
    }

    @Test
    void shouldLedgerOnlyTheFieldsThatLost() {
        f.events.pipeInput("c-1", f.patch("c-1", 2_000, "sales", Map.of("name", "New name")), T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "import", "Old name", "old@example.com"), T0);

        EntityState merged = f.store.get("c-1");
        assertThat(f.field(merged, "name")).isEqualTo("New name");
        assertThat(f.field(merged, "email")).isEqualTo("old@example.com");
        ConflictRecord conflict = f.conflicts.readValue();
        assertThat(conflict.getScope()).isEqualTo(ConflictScope.FIELDS);
        assertThat(conflict.getFields()).containsExactly("name");
        assertThat(conflict.getWinner().getWriter()).isEqualTo("sales");
        assertThat(conflict.getLoser().getWriter()).isEqualTo("import");
        assertThat(conflict.getStateVersion()).isEqualTo(2);
        f.states.readValuesToList();
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldDeleteOnlyWhatIsOlderThanTheDelete() {
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "crm", "Ada", "ada@example.com"), T0);
        f.events.pipeInput("c-1", f.delete("c-1", 3_000, "gdpr"), T0);
        f.events.pipeInput("c-1", f.patch("c-1", 2_000, "sales", Map.of("name", "Too late")), T0);

        EntityState deleted = f.store.get("c-1");
        assertThat(deleted.getDeleted()).isTrue();
        f.states.readValue();
        assertThat(f.states.readValue().getPayload()).as("replicas see no payload for a deleted entity").isNull();
        assertThat(f.readUnchangedState("c-1", 2).getPayload()).as("the late patch lost: nothing changed").isNull();
        assertThat(f.conflicts.readValue().getFields()).containsExactly("name");
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldRefuseAPatchOfUnknownFields() {
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "crm", "Ada"), T0);
        var patch = dev.concord.contract.avro.EntityEvent.newBuilder(f.patch("c-1", 2_000, "x", Map.of("name", "N")))
                .setChangedFields(java.util.List.of("name", "shoeSize")).build();
        f.events.pipeInput("c-1", patch, T0);

        f.states.readValue();
        f.readUnchangedState("c-1", 1);
        assertThat(f.rejected.readValue().getReason()).isEqualTo(RejectionReason.INVALID_PATCH);
        assertThat(f.allOutputsEmpty()).isTrue();
    }
}
