package dev.concord.processor.topology;

import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.topics.ConcordTopics;
import dev.concord.processor.errors.OutputTooLargeException;
import java.nio.ByteBuffer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Refuses an output record its topic would refuse, before it is sent (see {@link OutputTooLargeException}).
 * States are measured on the bytes encoded for them anyway; a conflict or rejected record is serialized
 * to measure it only when its payload alone is over half the limit, so the common case costs nothing
 * (the envelope around a payload is a few hundred bytes at most).
 */
final class OutputSizeGuard {

    private final int maxBytes;
    private final ConcordTopics topics;

    OutputSizeGuard(int maxBytes, ConcordTopics topics) {
        this.maxBytes = maxBytes;
        this.topics = topics;
    }

    void checkSize(String what, String topic, SpecificRecord record, ByteBuffer payload) {
        if (payload == null || payload.remaining() <= maxBytes / 2) {
            return;
        }
        checkSize(what, topic, serializer(record).serialize(topic, record).length);
    }

    /**
     * A state record, whole: key, value and headers (a state carries its event's headers). Checked before the store
     * takes the state: the state topic is the store's log, so a state the broker would refuse must never be stored.
     */
    void checkState(String topic, String key, byte[] value, Headers headers) {
        int size = Utils.utf8Length(key) + value.length;
        for (Header header : headers) {
            size += Utils.utf8Length(header.key()) + (header.value() == null ? 0 : header.value().length);
        }
        checkSize("state", topic, size);
    }

    /** For an output already encoded. */
    void checkSize(String what, String topic, int size) {
        if (size > maxBytes) {
            throw new OutputTooLargeException(what + " of " + size + " bytes for " + topic
                    + " exceeds the output limit of " + maxBytes + " bytes");
        }
    }

    @SuppressWarnings("unchecked")
    private Serializer<SpecificRecord> serializer(SpecificRecord record) {
        Serializer<?> serializer;
        if (record instanceof ConflictRecord) {
            serializer = topics.conflicts().valueSerde().serializer();
        } else if (record instanceof RejectedEvent) {
            serializer = topics.rejected().valueSerde().serializer();
        } else {
            throw new IllegalArgumentException("not an output of the sync topology: " + record.getClass());
        }
        return (Serializer<SpecificRecord>) serializer;
    }
}
