package dev.concord.contract.serde;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;

/**
 * The Avro single-object encoding ({@code C3 01}, little-endian CRC-64-AVRO fingerprint of the writer schema,
 * binary body) on byte arrays, for one reader (and writer) schema. Thread-safe.
 *
 * <p>Why not Avro's {@code BinaryMessageEncoder}/{@code BinaryMessageDecoder}, which write the same bytes: they
 * go through streams with Avro's <em>direct</em> coders, one {@code InputStream.read()} per byte of every number
 * and one synchronized {@code ByteArrayOutputStream.write} per value, which the processor's profile showed among
 * its hottest methods. Here the body is decoded by the buffered {@link BinaryDecoder} straight from the array and
 * encoded by the buffered {@link BinaryEncoder} into a reused per-thread buffer (docs/performance.md).
 */
final class SingleObjectCodec<D> {

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;
    private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();
    private static final ThreadLocal<Output> OUTPUT = ThreadLocal.withInitial(Output::new);

    private final GenericData model;
    private final Schema schema;
    private final long fingerprint;
    private final byte[] header;
    private final DatumWriter<D> writer;
    private final SchemaStore writerSchemas;
    /** One resolving reader per writer schema met, by fingerprint, as BinaryMessageDecoder keeps them. */
    private final Map<Long, DatumReader<D>> readers = new ConcurrentHashMap<>();

    /**
     * @param schema        the schema this codec writes with and reads into
     * @param writerSchemas where to find writer schemas other than {@code schema} (the catalog)
     */
    @SuppressWarnings("unchecked")
    SingleObjectCodec(GenericData model, Schema schema, SchemaStore writerSchemas) {
        this.model = model;
        this.schema = schema;
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        this.header = new byte[SingleObjectHeader.LENGTH];
        header[0] = MARKER_0;
        header[1] = MARKER_1;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        this.writer = (DatumWriter<D>) model.createDatumWriter(schema);
        this.writerSchemas = writerSchemas;
        readers.put(fingerprint, (DatumReader<D>) model.createDatumReader(schema, schema));
    }

    Schema schema() {
        return schema;
    }

    byte[] encode(D datum) throws IOException {
        Output output = OUTPUT.get();
        output.bytes.reset();
        output.bytes.write(header, 0, header.length);
        output.encoder = EncoderFactory.get().binaryEncoder(output.bytes, output.encoder);
        writer.write(datum, output.encoder);
        output.encoder.flush();
        return output.bytes.toByteArray();
    }

    /** Whether the {@code length} bytes at {@code offset} carry this codec's header: written with exactly its schema. */
    boolean isWrittenWithThisSchema(byte[] bytes, int offset, int length) {
        return length >= SingleObjectHeader.LENGTH && Arrays.equals(bytes, offset, offset + SingleObjectHeader.LENGTH,
                header, 0, SingleObjectHeader.LENGTH);
    }

    /** Decodes {@code length} bytes at {@code offset}: a header, then a body written with the schema it names. */
    D decode(byte[] bytes, int offset, int length) throws IOException {
        if (length < SingleObjectHeader.LENGTH) {
            throw new BadHeaderException("not single-object encoded: " + length + " bytes, shorter than the header");
        }
        if (bytes[offset] != MARKER_0 || bytes[offset + 1] != MARKER_1) {
            throw new BadHeaderException(String.format("not single-object encoded: starts with 0x%02X%02X, not 0xC301",
                    bytes[offset], bytes[offset + 1]));
        }
        long writerFingerprint = 0;
        for (int i = offset + 9; i >= offset + 2; i--) {
            writerFingerprint = (writerFingerprint << 8) | (bytes[i] & 0xFFL);
        }
        DatumReader<D> reader = readerFor(writerFingerprint);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, offset + SingleObjectHeader.LENGTH,
                length - SingleObjectHeader.LENGTH, DECODER.get());
        DECODER.set(decoder);
        try {
            return reader.read(null, decoder);
        } catch (ArrayIndexOutOfBoundsException e) {
            // The buffered decoder reads past a truncated array instead of meeting the end of a stream.
            throw new EOFException("body ends early");
        }
    }

    D decode(byte[] bytes) throws IOException {
        return decode(bytes, 0, bytes.length);
    }

    @SuppressWarnings("unchecked")
    private DatumReader<D> readerFor(long writerFingerprint) throws MissingSchemaException {
        DatumReader<D> reader = readers.get(writerFingerprint);
        if (reader != null) {
            return reader;
        }
        Schema writerSchema = writerSchemas == null ? null : writerSchemas.findByFingerprint(writerFingerprint);
        if (writerSchema == null) {
            throw new MissingSchemaException("cannot resolve schema for fingerprint: " + writerFingerprint);
        }
        return readers.computeIfAbsent(writerFingerprint, f -> (DatumReader<D>) model.createDatumReader(writerSchema, schema));
    }

    /** A thread's encoding buffer and the encoder over it, reused from one record to the next. */
    private static final class Output {
        final Bytes bytes = new Bytes();
        BinaryEncoder encoder;
    }

    /** A {@link ByteArrayOutputStream} without the monitor on every write (one thread owns it). */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes() {
            super(512);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + len));
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        /** Forgets the content; a buffer a rare large record grew is not kept for the thread's life. */
        @Override
        public void reset() {
            count = 0;
            if (buf.length > 64 * 1024) {
                buf = new byte[512];
            }
        }

        @Override
        public byte[] toByteArray() {
            return Arrays.copyOf(buf, count);
        }
    }
}
