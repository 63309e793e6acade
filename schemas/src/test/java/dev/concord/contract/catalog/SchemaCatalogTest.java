package dev.concord.contract.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.contract.serde.PayloadCodec;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class SchemaCatalogTest {

    private static final String SUBJECT = "entity.customer";

    private static final Schema V1 = SchemaBuilder.record("Customer").namespace("test").fields()
            .requiredString("name")
            .endRecord();
    private static final Schema V2_ADDS_FIELD_WITH_DEFAULT = SchemaBuilder.record("Customer").namespace("test").fields()
            .requiredString("name")
            .name("tier").type().stringType().stringDefault("STANDARD")
            .endRecord();

    private final CatalogLog log = CatalogLog.inMemory();
    private final SchemaCatalog catalog = new SchemaCatalog(log);
    private final PayloadCodec payloads = new PayloadCodec(catalog);

    @Test
    void shouldLetAnOldReaderReadDataWrittenWithAnAddedDefaultedField() {
        catalog.register(SUBJECT, V1);
        catalog.register(SUBJECT, V2_ADDS_FIELD_WITH_DEFAULT);

        GenericRecord written = new GenericData.Record(V2_ADDS_FIELD_WITH_DEFAULT);
        written.put("name", "Ada");
        written.put("tier", "GOLD");
        GenericRecord readByOld = payloads.decode(payloads.encode(written), V1);

        assertThat(readByOld.getSchema()).isEqualTo(V1);
        assertThat(readByOld.get("name")).hasToString("Ada");
    }

    @Test
    void shouldLetANewReaderReadOldDataFillingTheDefault() {
        catalog.register(SUBJECT, V1);
        catalog.register(SUBJECT, V2_ADDS_FIELD_WITH_DEFAULT);

        GenericRecord written = new GenericData.Record(V1);
        written.put("name", "Ada");
        GenericRecord readByNew = payloads.decode(payloads.encode(written), V2_ADDS_FIELD_WITH_DEFAULT);

        assertThat(readByNew.get("name")).hasToString("Ada");
        assertThat(readByNew.get("tier")).hasToString("STANDARD");
    }

    @Test
    void shouldRefuseAnAddedFieldWithoutDefaultNamingTheField() {
        catalog.register(SUBJECT, V1);
        Schema addsRequired = SchemaBuilder.record("Customer").namespace("test").fields()
                .requiredString("name")
                .requiredString("email")
                .endRecord();

        assertThatThrownBy(() -> catalog.register(SUBJECT, addsRequired))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("field 'email'")
                .hasMessageContaining("FULL_TRANSITIVE");
        assertThat(catalog.versions(SUBJECT)).containsExactly(V1);
    }

    @Test
    void shouldRefuseAChangedFieldTypeNamingTheNestedField() {
        Schema withAddress = SchemaBuilder.record("Customer").namespace("test").fields()
                .name("address").type().record("Address").fields().requiredString("city").endRecord().noDefault()
                .endRecord();
        Schema cityBecomesInt = SchemaBuilder.record("Customer").namespace("test").fields()
                .name("address").type().record("Address").fields().requiredInt("city").endRecord().noDefault()
                .endRecord();
        catalog.register(SUBJECT, withAddress);

        assertThatThrownBy(() -> catalog.register(SUBJECT, cityBecomesInt))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("field 'address.city'")
                .hasMessageContaining("STRING");
    }

    @Test
    void shouldCheckTransitivelyAgainstEveryEarlierSchema() {
        Schema v1 = SchemaBuilder.record("R").fields().name("a").type().intType().intDefault(0).endRecord();
        Schema v2 = SchemaBuilder.record("R").fields().endRecord();
        Schema v3 = SchemaBuilder.record("R").fields().name("a").type().stringType().stringDefault("x").endRecord();
        catalog.register("r", v1);
        catalog.register("r", v2);

        assertThatThrownBy(() -> catalog.register("r", v3)).hasMessageContaining("field 'a'");
    }

    @Test
    void shouldRegisterIdempotently() {
        long first = catalog.register(SUBJECT, V1);
        long again = catalog.register(SUBJECT, V1);
        assertThat(again).isEqualTo(first);
        assertThat(catalog.versions(SUBJECT)).hasSize(1);
    }

    @Test
    void shouldFindASchemaAnotherInstanceRegisteredThroughTheSharedLog() {
        List<CatalogEntry> topic = new ArrayList<>();
        SchemaCatalog writerSide = new SchemaCatalog(readerOf(topic));
        SchemaCatalog readerSide = new SchemaCatalog(readerOf(topic));
        long fingerprint = writerSide.register(SUBJECT, V1);

        assertThat(readerSide.findByFingerprint(fingerprint)).isEqualTo(V1);
        assertThat(readerSide.findByFingerprint(42L)).isNull();
    }

    /** One service's view of a shared catalog topic: appends go to the topic, reads keep their own position. */
    private static CatalogLog readerOf(List<CatalogEntry> topic) {
        return new CatalogLog() {
            private int position;

            @Override
            public void append(CatalogEntry entry) {
                topic.add(entry);
            }

            @Override
            public List<CatalogEntry> readNew() {
                List<CatalogEntry> fresh = List.copyOf(topic.subList(position, topic.size()));
                position = topic.size();
                return fresh;
            }
        };
    }
}
