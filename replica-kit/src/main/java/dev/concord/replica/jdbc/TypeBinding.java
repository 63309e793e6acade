package dev.concord.replica.jdbc;

import dev.concord.replica.store.StateChange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/** One entity type bound to its projection, with the mapping from the decoded record to what the projection takes. */
public final class TypeBinding<T> {

    private final String type;
    private final Function<GenericRecord, T> mapper;
    private final Projection<T> projection;

    private TypeBinding(String type, Function<GenericRecord, T> mapper, Projection<T> projection) {
        this.type = type;
        this.mapper = mapper;
        this.projection = projection;
    }

    /** The projection takes the record as decoded with the declared schema (Avro's generic form). */
    public static TypeBinding<GenericRecord> generic(String type, Projection<GenericRecord> projection) {
        return new TypeBinding<>(type, Function.identity(), projection);
    }

    /** The projection takes its own mapping of the record (e.g. a Java record with the columns it stores). */
    public static <T> TypeBinding<T> mapped(String type, Function<GenericRecord, T> mapper, Projection<T> projection) {
        return new TypeBinding<>(type, mapper, projection);
    }

    /**
     * The projection takes the type's generated Avro class. The record is resolved from the declared schema to the
     * class's with Avro's own rules, so a class generated from an older or newer compatible schema reads it
     * (a field it lacks is skipped, a field it adds takes its default).
     */
    public static <T extends SpecificRecord> TypeBinding<T> specific(String type, Class<T> generated, Projection<T> projection) {
        trustPackageOf(generated);
        return new TypeBinding<>(type, new SpecificConversion<>(org.apache.avro.specific.SpecificData.get().getSchema(generated)), projection);
    }

    public String type() {
        return type;
    }

    public Projection<T> projection() {
        return projection;
    }

    void upsert(Connection tx, StateChange.Upsert upsert) throws SQLException {
        projection.upsert(tx, change(upsert));
    }

    void upsertAll(Connection tx, List<StateChange.Upsert> upserts) throws SQLException {
        projection.upsertAll(tx, changes(upserts));
    }

    /** Whether the projection's table keeps each entity's version itself (a {@link ColumnProjection} with a version column). */
    boolean keepsVersions() {
        return projection instanceof ColumnProjection<T> columns && columns.keepsVersions();
    }

    /** Only for a projection that {@linkplain #keepsVersions() keeps versions}: see {@link ColumnProjection#upsertNewer}. */
    Set<String> upsertNewer(Connection tx, String replica, List<StateChange.Upsert> upserts) throws SQLException {
        return ((ColumnProjection<T>) projection).upsertNewer(tx, replica, type, changes(upserts));
    }

    /** Only for a projection that {@linkplain #keepsVersions() keeps versions}: see {@link ColumnProjection#versionOf}. */
    OptionalLong versionOf(Connection tx, String id) throws SQLException {
        return ((ColumnProjection<T>) projection).versionOf(tx, id);
    }

    private List<EntityChange<T>> changes(List<StateChange.Upsert> upserts) {
        List<EntityChange<T>> changes = new ArrayList<>(upserts.size());
        for (StateChange.Upsert upsert : upserts) {
            changes.add(change(upsert));
        }
        return changes;
    }

    private EntityChange<T> change(StateChange.Upsert upsert) {
        return new EntityChange<>(upsert.type(), upsert.id(), upsert.version(), upsert.clock(), upsert.writer(),
                upsert.updatedAt(), mapper.apply(upsert.payload()));
    }

    /**
     * Avro instantiates only trusted classes (org.apache.avro.SERIALIZABLE_PACKAGES): binding a projection to its own
     * generated class is the service saying it trusts that class's package (its nested records and enums live there).
     */
    private static synchronized void trustPackageOf(Class<?> generated) {
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (!current.isTrusted(generated)) {
            String trusted = generated.getPackageName();
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current, c -> c.getPackageName().equals(trusted)));
        }
    }

    /**
     * A record decoded with the declared schema, read as the generated class: written once more in Avro binary and read
     * with the class's schema, so Avro's resolution rules apply. The writer and reader are built once per thread (the
     * appliers share a binding) for the schema the records come with: not per record.
     */
    private static final class SpecificConversion<T> implements Function<GenericRecord, T> {

        private record Resolution(Schema from, GenericDatumWriter<GenericRecord> writer, SpecificDatumReader<Object> reader) {
        }

        private final Schema target;
        private final ThreadLocal<Resolution> resolutions = new ThreadLocal<>();

        SpecificConversion(Schema target) {
            this.target = target;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T apply(GenericRecord record) {
            Resolution resolution = resolutions.get();
            if (resolution == null || resolution.from() != record.getSchema()) {
                resolution = new Resolution(record.getSchema(), new GenericDatumWriter<>(record.getSchema()),
                        new SpecificDatumReader<>(record.getSchema(), target));
                resolutions.set(resolution);
            }
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
                BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
                resolution.writer().write(record, encoder);
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null);
                return (T) resolution.reader().read(null, decoder);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + record.getSchema().getFullName() + " as " + target.getFullName(), e);
            }
        }
    }
}
