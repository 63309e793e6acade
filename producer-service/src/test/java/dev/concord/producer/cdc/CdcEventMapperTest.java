package dev.concord.producer.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.topics.StateRecordLimits;
import dev.concord.contract.types.EntityTypes;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.InvalidEntityIdException;
import dev.concord.producer.write.InvalidPayloadException;
import dev.concord.producer.write.PayloadLimits;
import dev.concord.producer.write.PayloadTooLargeException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Debezium change envelopes → events, without a database: ops, ids, clocks and positions. */
class CdcEventMapperTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ConcordContract contract = ConcordContract.inMemory(EntityTypes.load(EntityTypes.DEFAULT_DECLARATION));
    private final CdcEventMapper mapper = new CdcEventMapper(contract,
            new EventFactory(contract, new PayloadLimits(StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES, contract.types())),
            Map.of("public.customers", "customer"), "slot_1", "cdc-1");

    @Test
    void shouldMapAnUpdateToADeterministicUpsertWithTheLsnAsPosition() {
        JsonNode key = json("{\"id\": \"c-1\"}");
        JsonNode update = change("u", "{\"id\": \"c-1\", \"name\": \"Ada\", \"email\": \"a@x\", \"marketing_opt_in\": true}", 0x1_0000_00A0L);

        EntityEvent event = mapper.toEvent(key, update).orElseThrow();

        assertThat(event.getOp()).isEqualTo(Operation.UPSERT);
        assertThat(event.getEntityId()).isEqualTo("c-1");
        assertThat(event.getSource().getPosition()).isEqualTo("1/A0");
        assertThat(event.getSource().getTransactionId()).isEqualTo("771");
        assertThat(event.getClock().getPhysicalMillis()).isEqualTo(1_795_000_000_000L);
        assertThat(event.getClock().getLogical()).isEqualTo(0xA0);
        assertThat(event.getWriter()).isEqualTo("cdc-1");
        assertThat(mapper.toEvent(key, update).orElseThrow()).isEqualTo(event);
    }

    @Test
    void shouldMapADeleteAndIgnoreTombstonesAndTruncates() {
        EntityEvent delete = mapper.toEvent(json("{\"id\": 7}"), change("d", null, 42)).orElseThrow();

        assertThat(delete.getOp()).isEqualTo(Operation.DELETE);
        assertThat(delete.getEntityId()).isEqualTo("7");
        assertThat(mapper.toEvent(json("{\"id\": 7}"), null)).isEmpty();
        assertThat(mapper.toEvent(null, change("t", null, 43))).isEmpty();
    }

    @Test
    void shouldRefuseARowThatDoesNotFitTheSchemaAndATableThatIsNotConfigured() {
        assertThatThrownBy(() -> mapper.toEvent(json("{\"id\": \"c-1\"}"), change("c", "{\"id\": \"c-1\", \"name\": 5}", 1)))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("email");
        JsonNode elsewhere = json("{\"op\": \"c\", \"after\": {}, \"source\": {\"schema\": \"public\", \"table\": \"orders\", \"lsn\": 1, \"ts_ms\": 1}}");
        assertThatThrownBy(() -> mapper.toEvent(json("{\"id\": 1}"), elsewhere)).hasMessageContaining("public.orders");
    }

    @Test
    void shouldRefuseAChangeWhoseKeyBreaksTheIdGrammarOrWhoseRowHoldsTextPostgresCannotStore() {
        // A NUL or a line feed in a key, U+0000 in a value: such a change is refused (logged and skipped), never published
        assertThatThrownBy(() -> mapper.toEvent(json("{\"id\": \"c\\n1\"}"), change("c", "{\"name\": \"Ada\", \"email\": \"a@x\"}", 1)))
                .isInstanceOf(InvalidEntityIdException.class).hasMessageContaining("U+000A");
        assertThatThrownBy(() -> mapper.toEvent(json("{\"id\": \"c-1\"}"), change("c", "{\"name\": \"A\\u0000da\", \"email\": \"a@x\"}", 1)))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("name").hasMessageContaining("U+0000");
    }

    @Test
    void shouldRefuseARowLargerThanTheProcessorCanCarry() {
        String name = "n".repeat(200_000); // over a customer field's share of the payload limit
        assertThatThrownBy(() -> mapper.toEvent(json("{\"id\": \"c-1\"}"), change("c", "{\"name\": \"" + name + "\", \"email\": \"a@x\"}", 1)))
                .isInstanceOf(PayloadTooLargeException.class).hasMessageContaining("'name'");
    }

    private static JsonNode change(String op, String after, long lsn) {
        return json("{\"op\": \"" + op + "\", \"before\": null, \"after\": " + after + ", \"source\": {\"schema\": \"public\","
                + " \"table\": \"customers\", \"lsn\": " + lsn + ", \"txId\": 771, \"ts_ms\": 1795000000000}}");
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
