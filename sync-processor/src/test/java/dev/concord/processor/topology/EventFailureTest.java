package dev.concord.processor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.contract.avro.EntityEvent;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * What parking counts as an event's own failure: anything the fold throws, except Kafka Streams' failures, which are
 * not the event's fault and must fail the task instead of parking an entity behind a healthy event.
 */
class EventFailureTest {

    private final Record<String, EntityEvent> record = new Record<>("c-1", null, 0L);

    @Test
    void aFoldThatCompletesHasNoFailure() {
        assertThat(EntityParking.eventFailure(folded -> { }, record)).isEmpty();
    }

    @Test
    void theEventsOwnFailureIsReturnedForParking() {
        IllegalArgumentException poison = new IllegalArgumentException("field 'email': expected a string");

        assertThat(EntityParking.eventFailure(folded -> { throw poison; }, record)).containsSame(poison);
    }

    @Test
    void aKafkaStreamsFailurePropagatesAndParksNothing() {
        StreamsException storeGone = new StreamsException("store closed during a rebalance");

        assertThatThrownBy(() -> EntityParking.eventFailure(folded -> { throw storeGone; }, record)).isSameAs(storeGone);
    }
}
