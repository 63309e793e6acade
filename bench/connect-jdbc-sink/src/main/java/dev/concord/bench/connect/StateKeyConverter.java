package dev.concord.bench.connect;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.storage.Converter;

/**
 * The key of a Concord state record (the entity id as UTF-8) as the primary key of the replica's row:
 * {@code (entity_type, entity_id)}, the type read from the topic's name ({@code concord.state.<type>}).
 * Read-only: the sink never writes Kafka.
 */
public final class StateKeyConverter implements Converter {

    static final Schema KEY = SchemaBuilder.struct().name("dev.concord.bench.StateKey")
            .field("entity_type", Schema.STRING_SCHEMA)
            .field("entity_id", Schema.STRING_SCHEMA)
            .build();

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] key) {
        return new SchemaAndValue(KEY, new Struct(KEY)
                .put("entity_type", StateTopics.typeOf(topic))
                .put("entity_id", new String(key, StandardCharsets.UTF_8)));
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        throw new UnsupportedOperationException("the benchmark's sink only reads state topics");
    }
}
