package dev.concord.bench.connect;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.types.EntityTypes;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.storage.Converter;

/**
 * A Concord state record as the rest of the replica's row: {@code version} and the payload as JSON, marked with
 * Debezium's {@code io.debezium.data.Json} so the JDBC sink binds it to a {@code jsonb} column. The same decoding
 * the replica kit does (envelope, then the payload with the declared schema), so both write the same rows. A
 * Kafka tombstone or a deleted state becomes a null value: the sink deletes the row.
 *
 * <p>Configuration (as {@code value.converter.*} of the connector): {@code bootstrap.servers}, to read writer
 * schemas from the catalog topic, and {@code concord.types}, the type declaration.
 */
public final class StateValueConverter implements Converter {

    static final Schema VALUE = SchemaBuilder.struct().name("dev.concord.bench.StateValue")
            .field("version", Schema.INT64_SCHEMA)
            .field("data", SchemaBuilder.string().name("io.debezium.data.Json").optional().build())
            .optional()
            .build();

    private ConcordContract contract;
    private Deserializer<EntityState> states;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        EntityTypes types = EntityTypes.load(String.valueOf(configs.get("concord.types")));
        contract = ConcordContract.connect(Map.of("bootstrap.servers", configs.get("bootstrap.servers")), types, false);
        states = contract.topics().stateSerde().deserializer();
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        if (value == null) {
            return new SchemaAndValue(VALUE, null);
        }
        EntityState state = states.deserialize(topic, value);
        if (state.getDeleted()) {
            return new SchemaAndValue(VALUE, null);
        }
        GenericRecord payload = contract.payloads().decode(state.getPayload(),
                contract.types().require(StateTopics.typeOf(topic)).schema());
        return new SchemaAndValue(VALUE, new Struct(VALUE)
                .put("version", state.getVersion())
                .put("data", AvroToJson.toJson(payload).toString()));
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        throw new UnsupportedOperationException("the benchmark's sink only reads state topics");
    }

    @Override
    public void close() {
        if (contract != null) {
            try {
                contract.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close the schema catalog", e);
            }
        }
    }
}
