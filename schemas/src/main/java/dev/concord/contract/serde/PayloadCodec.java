package dev.concord.contract.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;

/**
 * Encodes and decodes entity payloads (the {@code payload} bytes of events and states) as generic
 * records in the single-object encoding. Generic on purpose: the processor and replicas handle any
 * declared entity type without generated classes for it.
 */
public final class PayloadCodec {

    private final SchemaStore writerSchemas;
    private final Map<Schema, BinaryMessageEncoder<GenericRecord>> encoders = new ConcurrentHashMap<>();
    private final Map<Schema, BinaryMessageDecoder<GenericRecord>> decoders = new ConcurrentHashMap<>();

    public PayloadCodec(SchemaStore writerSchemas) {
        this.writerSchemas = writerSchemas;
    }

    public byte[] encode(GenericRecord record) {
        BinaryMessageEncoder<GenericRecord> encoder =
                encoders.computeIfAbsent(record.getSchema(), schema -> new BinaryMessageEncoder<>(GenericData.get(), schema));
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new PayloadDecodingException("cannot encode payload of " + record.getSchema().getFullName(), e);
        }
    }

    /** Decodes a payload held in an Avro {@code bytes} field (events, states) without moving the buffer. */
    public GenericRecord decode(ByteBuffer payload, Schema readerSchema) {
        ByteBuffer view = payload.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return decode(bytes, readerSchema);
    }

    /** Decodes a payload written with any schema in the catalog into the given reader schema. */
    public GenericRecord decode(byte[] bytes, Schema readerSchema) {
        BinaryMessageDecoder<GenericRecord> decoder = decoders.computeIfAbsent(readerSchema,
                schema -> new BinaryMessageDecoder<>(GenericData.get(), schema, writerSchemas));
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new PayloadDecodingException("payload written with unknown schema fingerprint "
                    + SingleObjectHeader.fingerprintHex(bytes) + ": not in the schema catalog", e);
        } catch (IOException | RuntimeException e) {
            throw new PayloadDecodingException("payload does not decode as " + readerSchema.getFullName()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Thrown when payload bytes cannot be turned into a record of the expected type. */
    public static final class PayloadDecodingException extends RuntimeException {
        public PayloadDecodingException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
