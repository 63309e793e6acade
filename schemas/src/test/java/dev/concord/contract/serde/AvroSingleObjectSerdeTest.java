package dev.concord.contract.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.catalog.CatalogLog;
import dev.concord.contract.catalog.SchemaCatalog;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import java.util.Arrays;
import java.util.UUID;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSingleObjectSerdeTest {

    private final SchemaCatalog catalog = new SchemaCatalog(CatalogLog.inMemory());
    private final AvroSingleObjectSerde<EntityEvent> serde = AvroSingleObjectSerde.of(EntityEvent.class, catalog);

    private final EntityEvent event = EntityEvents.upsert(UUID.randomUUID(), "customer", "c-1", new byte[] {1, 2, 3},
            new HlcTimestamp(1_700_000_000_000L, 4), "writer-a", EntityEvents.source("test"));

    @Test
    void shouldRoundTripAnEvent() {
        byte[] bytes = serde.serializer().serialize("t", event);
        EntityEvent decoded = serde.deserializer().deserialize("t", bytes);
        assertThat(decoded).isEqualTo(event);
        assertThat(decoded.getOp()).isEqualTo(Operation.UPSERT);
    }

    @Test
    void shouldWriteTheSingleObjectHeaderWithTheSchemaFingerprint() {
        byte[] bytes = serde.encode(event);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(SingleObjectHeader.fingerprint(bytes))
                .hasValue(SchemaNormalization.parsingFingerprint64(EntityEvent.getClassSchema()));
    }

    @Test
    void shouldPassKafkaTombstonesThrough() {
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void shouldRefuseAnUnknownFingerprintWithASerializationExceptionNamingIt() {
        byte[] bytes = serde.encode(event);
        bytes[2] ^= 0x5A; // another fingerprint, which no catalog knows
        assertThatThrownBy(() -> serde.decode(bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown schema fingerprint");
    }

    @Test
    void shouldRefuseBytesThatAreNotSingleObjectEncoded() {
        assertThatThrownBy(() -> serde.decode("{\"json\":true}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot decode EntityEvent");
    }

    @Test
    void shouldRefuseATruncatedBody() {
        byte[] bytes = serde.encode(event);
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 10);
        assertThatThrownBy(() -> serde.decode(truncated)).isInstanceOf(SerializationException.class);
    }
}
