package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Order;
import dev.concord.domain.OrderStatus;
import dev.concord.processor.errors.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PoisonRecordsTopologyTest {

    private final TopologyFixture f = new TopologyFixture(MergePolicy.FIELD_MERGE);

    @AfterEach
    void close() {
        f.close();
    }

    // Undecodable bytes and unknown fingerprints fail before the processor, at deserialization; TopologyTestDriver
    // does not emit the handler's dead-letter records, so DeadLetterQueueBrokerTest covers them on a real broker.

    @Test
    void shouldDeadLetterAPayloadOfAnotherTypeWithItsOriginalBytesAndHeaders() {
        GenericRecord order = (GenericRecord) GenericData.get().deepCopy(Order.getClassSchema(), Order.newBuilder()
                .setCustomerId("c-1").setStatus(OrderStatus.PAID).setCurrency("EUR").setTotalCents(10).build());
        f.contract.catalog().register("entity.order", Order.getClassSchema());
        EntityEvent wrongType = EntityEvents.upsert(UUID.randomUUID(), "customer", "c-1", f.contract.payloads().encode(order),
                new HlcTimestamp(1_000, 0), "a", EntityEvents.source("test"));
        byte[] bytes = f.contract.topics().eventSerde().serializer().serialize("t", wrongType);
        org.apache.kafka.common.header.internals.RecordHeaders headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        f.rawEvents.pipeInput(new TestRecord<>("c-1".getBytes(StandardCharsets.UTF_8), bytes, headers, T0));
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "a", "Fine"), T0);

        TestRecord<byte[], byte[]> dead = f.deadLetters.readRecord();
        assertThat(dead.value()).isEqualTo(bytes);
        assertThat(header(dead.headers(), DeadLetters.STAGE)).isEqualTo("process");
        assertThat(header(dead.headers(), DeadLetters.ERROR)).contains("payload does not match type customer");
        assertThat(header(dead.headers(), "trace-id")).isEqualTo("abc");
        assertThat(f.field(f.states.readValue(), "name")).isEqualTo("Fine");
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterAnEventFiledUnderTheWrongKey() {
        f.events.pipeInput("c-9", f.upsert("c-1", 1_000, "a", "Ada"), T0);

        assertThat(header(f.deadLetters.readRecord().headers(), DeadLetters.ERROR)).contains("under key c-9");
        assertThat(f.store.get("c-9")).isNull();
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterAnEventWhoseStateWouldBeTooLargeForItsTopic() {
        try (TopologyFixture small = new TopologyFixture(MergePolicy.LAST_WRITER_WINS, SyncSettings.defaults().withMaxOutputBytes(2_000))) {
            small.events.pipeInput("c-1", small.upsert("c-1", 1_000, "a", "x".repeat(3_000)), T0);
            small.events.pipeInput("c-2", small.upsert("c-2", 1_000, "a", "Small"), T0);

            TestRecord<byte[], byte[]> dead = small.deadLetters.readRecord();
            assertThat(header(dead.headers(), DeadLetters.STAGE)).isEqualTo("produce");
            assertThat(header(dead.headers(), DeadLetters.ERROR)).contains("exceeds the output limit of 2000 bytes");
            assertThat(small.store.get("c-1")).as("nothing stored for the refused event").isNull();
            assertThat(small.states.readKeyValue().key).isEqualTo("c-2");
            assertThat(small.allOutputsEmpty()).isTrue();
        }
    }

    @Test
    void shouldCountTheEventsHeadersInTheSizeOfItsStateRecord() {
        // A state record carries its event's headers: a small payload with large headers would pass a check of the value
        // alone, be stored, and then be refused by the broker — leaving the store ahead of its log (the state topic).
        try (TopologyFixture small = new TopologyFixture(MergePolicy.LAST_WRITER_WINS, SyncSettings.defaults().withMaxOutputBytes(2_000))) {
            org.apache.kafka.common.header.internals.RecordHeaders heavy = new org.apache.kafka.common.header.internals.RecordHeaders();
            heavy.add("writer-notes", "n".repeat(1_800).getBytes(StandardCharsets.UTF_8));
            small.events.pipeInput(new TestRecord<>("c-1", small.upsert("c-1", 1_000, "a", "Small"), heavy, T0));

            TestRecord<byte[], byte[]> dead = small.deadLetters.readRecord();
            assertThat(header(dead.headers(), DeadLetters.STAGE)).isEqualTo("produce");
            assertThat(header(dead.headers(), DeadLetters.ERROR)).contains("exceeds the output limit of 2000 bytes");
            assertThat(small.store.get("c-1")).as("nothing stored for the refused event").isNull();
            assertThat(small.allOutputsEmpty()).isTrue();
        }
    }

    private static String header(Headers headers, String key) {
        var header = headers.lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

}
