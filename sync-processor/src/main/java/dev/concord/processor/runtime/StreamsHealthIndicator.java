package dev.concord.processor.runtime;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.reactivestreams.Publisher;
import io.micronaut.core.async.publisher.Publishers;

/** Health follows Kafka Streams: UP while running (or rebalancing), DOWN when it has stopped or failed. */
@Singleton
final class StreamsHealthIndicator implements HealthIndicator {

    private final KafkaStreams streams;

    StreamsHealthIndicator(KafkaStreams streams) {
        this.streams = streams;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        KafkaStreams.State state = streams.state();
        HealthStatus status = state.isRunningOrRebalancing() ? HealthStatus.UP : HealthStatus.DOWN;
        return Publishers.just(HealthResult.builder("kafka-streams", status).details(Map.of("state", state.name())).build());
    }
}
