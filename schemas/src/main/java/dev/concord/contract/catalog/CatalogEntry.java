package dev.concord.contract.catalog;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/** One registered schema: the record kept on the compacted catalog topic, keyed by fingerprint. */
public record CatalogEntry(String subject, long fingerprint, String schemaJson, long registeredAtMillis) {

    public static CatalogEntry of(String subject, Schema schema, long registeredAtMillis) {
        return new CatalogEntry(subject, SchemaNormalization.parsingFingerprint64(schema), schema.toString(), registeredAtMillis);
    }

    public Schema schema() {
        return new Schema.Parser().parse(schemaJson);
    }
}
