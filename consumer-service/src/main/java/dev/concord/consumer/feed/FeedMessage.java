package dev.concord.consumer.feed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.consumer.store.StoredEntity;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a stream sends to its client: a change, or the request to resume elsewhere. */
public sealed interface FeedMessage {

    /** The cursor a client that received this message resumes after. */
    long cursor();

    /** The message as the WebSocket sends it: {@code {"type":"change","change":{...}}} or {@code {"type":"resync",...}}. */
    String toJson();

    /** One changed entity, at its {@code change_seq}. */
    record Change(StoredEntity entity) implements FeedMessage {
        @Override
        public long cursor() {
            return entity.changeSeq();
        }

        /** The change alone, as SSE's {@code data:} and the long poll's list carry it. */
        public String changeJson() {
            return Json.write(ChangeView.of(entity));
        }

        @Override
        public String toJson() {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("type", "change");
            message.put("change", ChangeView.of(entity));
            return Json.write(message);
        }
    }

    /**
     * The server stops streaming to this client, which should reconnect and resume after {@code after}
     * (the last change it was sent). Nothing after that cursor is lost: the store is the buffer.
     */
    record Resync(long after, String reason) implements FeedMessage {
        @Override
        public long cursor() {
            return after;
        }

        @Override
        public String toJson() {
            return Json.message("resync", "after", after, "reason", reason);
        }
    }

    /**
     * The store can no longer serve this client's cursor without a gap (changes after it were purged, or the
     * cursor belongs to another store): the client must start over (list the entities again, then follow the
     * feed from the listing's {@code changeSeq} and {@code store}). Never a silent gap.
     *
     * @param store this replica's store id, for the client's new cursor
     */
    record Reset(String store, String reason) implements FeedMessage {
        @Override
        public long cursor() {
            return 0;
        }

        @Override
        public String toJson() {
            return Json.message("reset", "store", store, "reason", reason);
        }
    }

    /** Jackson for the stream messages (records and the raw {@code data} JSON). */
    final class Json {
        private static final ObjectMapper MAPPER = new ObjectMapper();

        private Json() {
        }

        /** {@code {"type": type, first: firstValue, second: secondValue}}, in that order. */
        static String message(String type, String first, Object firstValue, String second, Object secondValue) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("type", type);
            message.put(first, firstValue);
            message.put(second, secondValue);
            return write(message);
        }

        static String write(Object value) {
            try {
                return MAPPER.writeValueAsString(value);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot render feed message " + value, e);
            }
        }
    }
}
