package dev.concord.contract.serde;

import java.io.IOException;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for generated Avro records in the Avro single-object encoding
 * ({@code C3 01}, 8-byte CRC-64-AVRO fingerprint of the writer schema, binary body).
 *
 * <p>Reading resolves the writer schema by fingerprint through a {@link SchemaStore} (the schema
 * catalog) and decodes into this service's own reader schema, so writers and readers deploy
 * independently. Any decoding failure surfaces as a Kafka {@link SerializationException} whose
 * message says what was wrong, so Kafka Streams' deserialization handler can route the record to
 * the dead-letter topic instead of crashing. A {@code null} value stays {@code null} (a Kafka tombstone).
 */
public final class AvroSingleObjectSerde<T extends SpecificRecord> implements Serde<T> {

    private final Class<T> type;
    private final SingleObjectCodec<T> codec;

    private AvroSingleObjectSerde(Class<T> type, SchemaStore writerSchemas) {
        SpecificData model = SpecificData.getForClass(type);
        this.type = type;
        this.codec = new SingleObjectCodec<>(model, model.getSchema(type), writerSchemas);
    }

    /**
     * @param writerSchemas where to look up writer schemas this reader does not know (the catalog)
     */
    public static <T extends SpecificRecord> AvroSingleObjectSerde<T> of(Class<T> type, SchemaStore writerSchemas) {
        return new AvroSingleObjectSerde<>(type, writerSchemas);
    }

    public byte[] encode(T record) {
        if (record == null) {
            return null;
        }
        try {
            return codec.encode(record);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public T decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return codec.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new SerializationException("unknown schema fingerprint "
                    + SingleObjectHeader.fingerprintHex(bytes) + " for " + type.getSimpleName()
                    + ": not in the schema catalog", e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot decode " + type.getSimpleName() + " ("
                    + bytes.length + " bytes): " + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, record) -> encode(record);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> decode(bytes);
    }
}
