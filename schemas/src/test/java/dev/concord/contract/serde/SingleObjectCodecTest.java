package dev.concord.contract.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.catalog.CatalogLog;
import dev.concord.contract.catalog.SchemaCatalog;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/** The array codec writes and reads exactly what Avro's own single-object encoder and decoder do. */
class SingleObjectCodecTest {

    private static final Schema CUSTOMER = SchemaBuilder.record("Customer").namespace("test").fields()
            .requiredString("name").optionalString("city").requiredLong("points")
            .name("tags").type().array().items().stringType().noDefault().endRecord();

    private final SchemaCatalog catalog = new SchemaCatalog(CatalogLog.inMemory());
    private final Random random = new Random(7);

    @Test
    void shouldWriteTheBytesAvrosBinaryMessageEncoderWrites() throws IOException {
        SpecificData model = SpecificData.getForClass(EntityEvent.class);
        SingleObjectCodec<EntityEvent> codec = new SingleObjectCodec<>(model, EntityEvent.getClassSchema(), catalog);
        BinaryMessageEncoder<EntityEvent> avro = new BinaryMessageEncoder<>(model, EntityEvent.getClassSchema());
        for (int i = 0; i < 200; i++) {
            EntityEvent event = randomEvent();
            byte[] ours = codec.encode(event);
            assertThat(ours).isEqualTo(avro.encode(event).array());
            assertThat(codec.decode(ours)).isEqualTo(event);
        }
    }

    @Test
    void shouldReadWhatAvrosEncoderWroteAndTheReverseForGenericRecords() throws IOException {
        SingleObjectCodec<GenericRecord> codec = new SingleObjectCodec<>(GenericData.get(), CUSTOMER, catalog);
        BinaryMessageEncoder<GenericRecord> avroEncoder = new BinaryMessageEncoder<>(GenericData.get(), CUSTOMER);
        BinaryMessageDecoder<GenericRecord> avroDecoder = new BinaryMessageDecoder<>(GenericData.get(), CUSTOMER);
        for (int i = 0; i < 200; i++) {
            GenericRecord customer = randomCustomer();
            byte[] bytes = codec.encode(customer);
            assertThat(avroDecoder.decode(bytes)).isEqualTo(customer);
            assertThat(codec.decode(avroEncoder.encode(customer).array())).isEqualTo(customer);
        }
    }

    @Test
    void shouldDecodeASliceOfALargerArray() throws IOException {
        SingleObjectCodec<GenericRecord> codec = new SingleObjectCodec<>(GenericData.get(), CUSTOMER, catalog);
        GenericRecord customer = randomCustomer();
        byte[] bytes = codec.encode(customer);
        byte[] surrounded = new byte[bytes.length + 20];
        Arrays.fill(surrounded, (byte) 0x7F);
        System.arraycopy(bytes, 0, surrounded, 7, bytes.length);
        assertThat(codec.decode(surrounded, 7, bytes.length)).isEqualTo(customer);
        assertThat(new PayloadCodec(catalog).decode(ByteBuffer.wrap(surrounded, 7, bytes.length), CUSTOMER)).isEqualTo(customer);
    }

    @Test
    void shouldRefuseWhatIsNotSingleObjectEncodedOrEndsEarly() throws IOException {
        SingleObjectCodec<GenericRecord> codec = new SingleObjectCodec<>(GenericData.get(), CUSTOMER, catalog);
        assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xC3, 1, 2})).isInstanceOf(BadHeaderException.class);
        assertThatThrownBy(() -> codec.decode("{\"name\":\"json\"}".getBytes())).isInstanceOf(BadHeaderException.class);
        byte[] bytes = codec.encode(randomCustomer());
        for (int cut = SingleObjectHeader.LENGTH; cut < bytes.length; cut++) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void shouldRefuseALengthLargerThanTheRecordWithoutAllocatingIt() throws IOException {
        SingleObjectCodec<GenericRecord> codec = new SingleObjectCodec<>(GenericData.get(), CUSTOMER, catalog);
        byte[] header = Arrays.copyOf(codec.encode(randomCustomer()), SingleObjectHeader.LENGTH);
        // name: a string whose zig-zag varint length says 1,000,000,000 bytes, in a 15-byte record
        byte[] hostile = Arrays.copyOf(header, SingleObjectHeader.LENGTH + 5);
        long zigzag = 1_000_000_000L << 1;
        for (int i = SingleObjectHeader.LENGTH; i < hostile.length; i++) {
            hostile[i] = (byte) ((zigzag & 0x7F) | (i < hostile.length - 1 ? 0x80 : 0));
            zigzag >>>= 7;
        }
        assertThatThrownBy(() -> codec.decode(hostile)).isInstanceOf(Exception.class);
    }

    private EntityEvent randomEvent() {
        byte[] payload = new byte[random.nextInt(300)];
        random.nextBytes(payload);
        return EntityEvents.upsert(UUID.randomUUID(), "customer", "c-" + random.nextInt(1_000_000) + "-é", payload,
                new HlcTimestamp(1_700_000_000_000L + random.nextInt(1_000_000), random.nextInt(100)),
                "writer-" + random.nextInt(5), EntityEvents.source("test"));
    }

    private GenericRecord randomCustomer() {
        GenericRecord customer = new GenericData.Record(CUSTOMER);
        customer.put("name", "name " + random.nextInt() + " ünï");
        customer.put("city", random.nextBoolean() ? null : "city " + random.nextInt(100));
        customer.put("points", random.nextLong());
        customer.put("tags", java.util.List.of("t" + random.nextInt(9), "u"));
        return customer;
    }
}
