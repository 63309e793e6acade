package dev.concord.contract.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;

/**
 * Encodes and decodes entity payloads (the {@code payload} bytes of events and states) as generic
 * records in the single-object encoding. Generic on purpose: the processor and replicas handle any
 * declared entity type without generated classes for it.
 */
public final class PayloadCodec {

    private final SchemaStore writerSchemas;
    /** By schema: a codec writes with the record's own schema and reads into the reader schema asked for. */
    private final Map<Schema, SingleObjectCodec<GenericRecord>> codecs = new ConcurrentHashMap<>();

    public PayloadCodec(SchemaStore writerSchemas) {
        this.writerSchemas = writerSchemas;
    }

    public byte[] encode(GenericRecord record) {
        try {
            return codec(record.getSchema()).encode(record);
        } catch (IOException e) {
            throw new PayloadDecodingException("cannot encode payload of " + record.getSchema().getFullName(), e);
        }
    }

    /** Decodes a payload held in an Avro {@code bytes} field (events, states) without moving the buffer. */
    public GenericRecord decode(ByteBuffer payload, Schema readerSchema) {
        if (payload.hasArray()) {
            return decode(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining(), readerSchema);
        }
        ByteBuffer view = payload.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return decode(bytes, readerSchema);
    }

    /**
     * Whether a payload was written with {@code schema} itself (its header names that schema's fingerprint): then its
     * bytes can stand for its decoded record under {@code schema} as they are, with no schema resolution between.
     */
    public boolean isWrittenWith(ByteBuffer payload, Schema schema) {
        if (!payload.hasArray()) {
            return false;
        }
        return codec(schema).isWrittenWithThisSchema(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
    }

    /** Decodes a payload written with any schema in the catalog into the given reader schema. */
    public GenericRecord decode(byte[] bytes, Schema readerSchema) {
        return decode(bytes, 0, bytes.length, readerSchema);
    }

    private GenericRecord decode(byte[] bytes, int offset, int length, Schema readerSchema) {
        try {
            return codec(readerSchema).decode(bytes, offset, length);
        } catch (MissingSchemaException e) {
            throw new PayloadDecodingException("payload written with unknown schema fingerprint "
                    + SingleObjectHeader.fingerprintHex(Arrays.copyOfRange(bytes, offset, offset + Math.min(length, SingleObjectHeader.LENGTH)))
                    + ": not in the schema catalog", e);
        } catch (IOException | RuntimeException e) {
            throw new PayloadDecodingException("payload does not decode as " + readerSchema.getFullName()
                    + ": " + e.getMessage(), e);
        }
    }

    private SingleObjectCodec<GenericRecord> codec(Schema schema) {
        return codecs.computeIfAbsent(schema, s -> new SingleObjectCodec<>(GenericData.get(), s, writerSchemas));
    }

    /** Thrown when payload bytes cannot be turned into a record of the expected type. */
    public static final class PayloadDecodingException extends RuntimeException {
        public PayloadDecodingException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
