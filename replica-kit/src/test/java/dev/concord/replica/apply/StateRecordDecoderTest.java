package dev.concord.replica.apply;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.ReplicatedTypes;
import dev.concord.replica.store.StateChange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Decoding state records into store changes, and dead-lettering what cannot be decoded, without Kafka. */
class StateRecordDecoderTest {

    private static final String TOPIC = TopicNames.state("customer");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConcordContract contract = ConcordContract.inMemory(EntityTypes.load(EntityTypes.DEFAULT_DECLARATION)).registerWriterSchemas();
    private final CustomerStates states = new CustomerStates(contract);
    private final StateRecordDecoder decoder = new StateRecordDecoder(
            ReplicatedTypes.select(contract.types(), List.of()), contract.topics().stateSerde().deserializer(), contract.payloads());

    @Test
    void shouldDecodeThePayloadOfLiveStateWithTheDeclaredSchema() throws Exception {
        StateChange change = decoder.decode(record("42", encode(states.live("42", 3, "Ada")))).asChange().orElseThrow();

        assertThat(change).isInstanceOfSatisfying(StateChange.Upsert.class, upsert -> {
            assertThat(upsert.type()).isEqualTo("customer");
            assertThat(upsert.id()).isEqualTo("42");
            assertThat(upsert.version()).isEqualTo(3);
            assertThat(upsert.clock()).isEqualTo(new HlcTimestamp(1_700_000_000_003L, 0));
            assertThat(upsert.writer()).isEqualTo("sales");
            assertThat(upsert.deleted()).isFalse();
            assertThat(upsert.updatedAt()).isEqualTo(CustomerStates.UPDATED_AT);
        });
        String json = AvroToJson.toJson(((StateChange.Upsert) change).payload()).toString();
        assertThat(JSON.readTree(json).path("name").asText()).isEqualTo("Ada");
        assertThat(JSON.readTree(json).path("tier").asText()).isEqualTo("STANDARD");
    }

    @Test
    void shouldKeepVersionButNoDataForDeletedState() {
        StateChange change = decoder.decode(record("42", encode(states.deleted("42", 4)))).asChange().orElseThrow();

        assertThat(change).isInstanceOfSatisfying(StateChange.Upsert.class, upsert -> {
            assertThat(upsert.deleted()).isTrue();
            assertThat(upsert.version()).isEqualTo(4);
            assertThat(upsert.payload()).isNull();
        });
    }

    @Test
    void shouldTurnKafkaTombstoneIntoRemoval() {
        assertThat(decoder.decode(record("42", null)).asChange()).contains(new StateChange.Removal("customer", "42"));
    }

    @Test
    void shouldDeadLetterValueThatIsNotAnEntityStateWithItsOriginalBytes() {
        byte[] garbage = {1, 2, 3};

        StateRecordDecoder.Decoded decoded = decoder.decode(record("42", garbage));

        assertThat(decoded.asChange()).isEmpty();
        assertThat(decoded.refused().reason()).contains("not a readable EntityState");
        assertThat(decoded.refused().entityId()).isEqualTo("42");
        assertThat(decoded.refused().origin().value()).isEqualTo(garbage);
        assertThat(decoded.refused().origin().offset()).isEqualTo(7L);
    }

    @Test
    void shouldDeadLetterKeyThatIsNotValidUtf8InsteadOfRepairingIt() {
        byte[] invalidUtf8 = {'a', (byte) 0xC3, 'b'};

        StateRecordDecoder.Decoded decoded = decoder.decode(new ConsumerRecord<>(TOPIC, 0, 7L, invalidUtf8, encode(states.live("42", 1, "Ada"))));

        assertThat(decoded.asChange()).isEmpty();
        assertThat(decoded.refused().reason()).contains("not a valid entity id").contains("UTF-8");
        assertThat(decoded.refused().origin().key()).isEqualTo(invalidUtf8);
    }

    @Test
    void shouldDeadLetterKeyWithControlCharacter() {
        StateRecordDecoder.Decoded decoded = decoder.decode(record("4\u00002", encode(states.live("42", 1, "Ada"))));

        assertThat(decoded.asChange()).isEmpty();
        assertThat(decoded.refused().reason()).contains("control character");
        assertThat(decoded.refused().entityId()).doesNotContain("\u0000").contains("\\u0000");
    }

    @Test
    void shouldSkipPayloadWrittenWithSchemaMissingFromCatalog() {
        Schema unregistered = SchemaBuilder.record("Stranger").namespace("dev.concord.test").fields().requiredString("who").endRecord();
        byte[] payload = contract.payloads().encode(new GenericRecordBuilder(unregistered).set("who", "nobody").build());
        EntityState state = EntityState.newBuilder(states.live("42", 1, "Ada")).setPayload(ByteBuffer.wrap(payload)).build();

        assertThat(decoder.decode(record("42", encode(state))).refused().reason()).contains("does not decode");
    }

    @Test
    void shouldDeadLetterStateWhoseClockHasANegativePartDeletedOrNot() {
        // Not a state the processor writes (it refuses such clocks), but any writer of the topic can: the applier
        // would restart on it for ever if decoding threw.
        for (EntityState state : List.of(states.deleted("42", 4), states.live("42", 3, "Ada"))) {
            state.setClock(new dev.concord.contract.avro.HybridClock(-1L, 0));

            StateRecordDecoder.Decoded decoded = decoder.decode(record("42", encode(state)));

            assertThat(decoded.asChange()).as("deleted: %s", state.getDeleted()).isEmpty();
            assertThat(decoded.refused().reason()).contains("its clock is not valid").contains("-1");
            assertThat(decoded.refused().version()).isEqualTo(state.getVersion());
        }
    }

    @Test
    void shouldSkipRecordWithoutKey() {
        assertThat(decoder.decode(record(null, encode(states.live("42", 1, "Ada")))).refused().reason()).contains("null key");
    }

    @Test
    void shouldNotLetKeyForgeLogLineWhenDeadLettering() {
        Logger logger = (Logger) LoggerFactory.getLogger(StateRecordDecoder.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            decoder.decode(record("42\r\n00:00:00.000 ERROR forged line", new byte[] {1}));
        } finally {
            logger.detachAppender(lines);
        }

        assertThat(lines.list).singleElement().satisfies(line -> assertThat(line.getFormattedMessage())
                .doesNotContain("\n").doesNotContain("\r").contains("42\\u000d\\u000a00:00:00.000 ERROR forged line"));
    }

    private byte[] encode(EntityState state) {
        return contract.topics().stateSerde().serializer().serialize(TOPIC, state);
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value) {
        return new ConsumerRecord<>(TOPIC, 0, 7L, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }
}
