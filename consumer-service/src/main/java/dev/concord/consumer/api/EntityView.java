package dev.concord.consumer.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.concord.consumer.store.StoredEntity;

/**
 * The JSON body of {@code GET /v1/entities/{type}/{id}}. {@code data} is the stored JSON text,
 * written through as is (it was rendered from the Avro payload when applied).
 */
public record EntityView(String type, String id, long version, Clock clock, String writer, boolean deleted,
                         String updatedAt, @JsonRawValue String data) {

    /** The hybrid clock of the winning write. */
    public record Clock(long physicalMillis, int logical) {
    }

    public static EntityView of(StoredEntity entity) {
        return new EntityView(entity.type(), entity.id(), entity.version(),
                new Clock(entity.clock().physicalMillis(), entity.clock().logical()),
                entity.writer(), entity.deleted(),
                entity.updatedAt() == null ? null : entity.updatedAt().toString(),
                entity.dataJson());
    }

    /** The entity tag of this state: its version, which changes with every accepted change. */
    public String etag() {
        return "\"" + version + "\"";
    }
}
