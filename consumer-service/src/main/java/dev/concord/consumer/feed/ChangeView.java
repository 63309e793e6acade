package dev.concord.consumer.feed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.concord.consumer.store.StoredEntity;

/**
 * One change as every feed carries it (long poll, SSE, WebSocket): the entity's state at
 * {@code seq}, its position in this replica's change feed. {@code data} is null when deleted, and
 * written as null (every field is always present, whichever serialiser writes it).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ChangeView(long seq, String type, String id, long version, boolean deleted, Clock clock, String writer,
                         String updatedAt, @JsonRawValue String data) {

    /** The hybrid clock of the winning write. */
    public record Clock(long physicalMillis, int logical) {
    }

    public static ChangeView of(StoredEntity entity) {
        return new ChangeView(entity.changeSeq(), entity.type(), entity.id(), entity.version(), entity.deleted(),
                new Clock(entity.clock().physicalMillis(), entity.clock().logical()), entity.writer(),
                entity.updatedAt() == null ? null : entity.updatedAt().toString(), entity.dataJson());
    }
}
