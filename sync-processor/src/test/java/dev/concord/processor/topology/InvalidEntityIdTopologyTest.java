package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.types.MergePolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Raw events whose Kafka key is not an entity id under EntityIdGrammar are refused to concord.rejected, never stored. */
class InvalidEntityIdTopologyTest {

    private final TopologyFixture f = new TopologyFixture(MergePolicy.LAST_WRITER_WINS);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldRefuseAnEventWhoseKeyIsNotValidUtf8AndNeverStoreIt() {
        // Given a key with a byte that is not UTF-8 (a lenient decoder would make it "c-1\uFFFD")
        byte[] invalidKey = {'c', '-', '1', (byte) 0xFF};
        EntityEvent event = f.upsert("c-1\uFFFD", 1_000, "writer-a", "Ada");

        // When it arrives, followed by a valid event
        f.rawEvents.pipeInput(new TestRecord<>(invalidKey, serialize(event), T0));
        f.events.pipeInput("c-2", f.upsert("c-2", 1_000, "writer-a", "Bob"), T0);

        // Then it is refused with the reason and the rule, and nothing of it is stored or published
        RejectedEvent rejected = f.rejected.readValue();
        assertThat(rejected.getReason()).isEqualTo(RejectionReason.INVALID_ENTITY_ID);
        assertThat(rejected.getDetail()).contains("not valid UTF-8").contains("An entity id is 1 to 256 characters");
        assertThat(rejected.getCurrentVersion()).isZero();
        assertThat(rejected.getEvent().getEventId()).isEqualTo(event.getEventId());
        assertThat(f.states.readKeyValue().key).as("the valid event after it is applied").isEqualTo("c-2");
        List<String> stored = new ArrayList<>();
        f.store.forEach(entry -> stored.add(entry.key));
        assertThat(stored).containsExactly("c-2");
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldRefuseAKeyWithAControlCharacterEvenWhenTheEventNamesTheSameId() {
        // Given a valid UTF-8 key that the grammar refuses (a NUL), and an event that agrees with it
        String id = "c-\u00001";
        EntityEvent event = f.upsert(id, 1_000, "writer-a", "Ada");

        // When it arrives
        f.rawEvents.pipeInput(new TestRecord<>(id.getBytes(StandardCharsets.UTF_8), serialize(event), T0));

        // Then it is refused, and the store never holds the id
        RejectedEvent rejected = f.rejected.readValue();
        assertThat(rejected.getReason()).isEqualTo(RejectionReason.INVALID_ENTITY_ID);
        assertThat(rejected.getDetail()).contains("control character U+0000");
        assertThat(f.store.get(id)).isNull();
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldRefuseAnEventWithoutKey() {
        // Given an event sent without a Kafka key
        EntityEvent event = f.upsert("c-1", 1_000, "writer-a", "Ada");

        // When it arrives
        f.rawEvents.pipeInput(new TestRecord<>((byte[]) null, serialize(event), T0));

        // Then it is refused as a missing id, and nothing is stored under the id it names
        RejectedEvent rejected = f.rejected.readValue();
        assertThat(rejected.getReason()).isEqualTo(RejectionReason.INVALID_ENTITY_ID);
        assertThat(rejected.getDetail()).contains("missing");
        assertThat(f.store.get("c-1")).isNull();
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    private byte[] serialize(EntityEvent event) {
        return f.contract.topics().eventSerde().serializer().serialize("t", event);
    }
}
