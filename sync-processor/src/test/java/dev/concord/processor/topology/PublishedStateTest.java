package dev.concord.processor.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.FieldStamp;
import dev.concord.contract.avro.HybridClock;
import dev.concord.contract.topics.ConcordTopics;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.ConcordContract;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The state topic's bytes are cut from the store's instead of encoded a second time: they must be
 * exactly what encoding the published form would give, whatever the state holds.
 */
class PublishedStateTest {

    private static final ConcordTopics TOPICS = ConcordContract.inMemory(EntityTypes.of(List.of())).topics();
    private static final Serializer<EntityState> SERIALIZER = TOPICS.stateSerde().serializer();

    @Property(tries = 300)
    void cutBytesEqualTheEncodedPublishedForm(@ForAll @IntRange(max = 200) int rememberedIds, @ForAll boolean deleted,
                                              @ForAll boolean withPayload, @ForAll @IntRange(max = 3000) int payloadBytes,
                                              @ForAll boolean fieldStamps) {
        ByteBuffer ids = ByteBuffer.allocate(rememberedIds * RecentEventIds.ID_BYTES);
        for (int i = 0; i < rememberedIds; i++) {
            UUID id = UUID.randomUUID();
            ids.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        }
        EntityState state = new EntityState("customer", "c-" + payloadBytes, 7L, new HybridClock(1_700_000_000_000L, 3), "writer-a",
                deleted, withPayload ? ByteBuffer.wrap(new byte[payloadBytes]) : null,
                fieldStamps ? Map.of("name", new FieldStamp(new HybridClock(1L, 0), "w", true)) : Map.of(),
                UUID.randomUUID(), Instant.ofEpochMilli(1_700_000_000_123L), ids.flip());

        byte[] stored = SERIALIZER.serialize(null, state);
        byte[] published = EntityStateStore.Published.of(state, stored, SERIALIZER);

        EntityState expected = EntityStateStore.Published.withoutStoreOnlyFields(state);
        assertThat(published).isEqualTo(SERIALIZER.serialize(null, expected));
        EntityState read = TOPICS.stateSerde().deserializer().deserialize(null, published);
        assertThat(read.getRecentEventIds().remaining()).isZero();
        assertThat(read.getPayload() == null).isEqualTo(deleted || !withPayload);
    }
}
