package dev.concord.processor.runtime;

import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Kafka Streams with the application and closes it cleanly on shutdown, so an orderly stop
 * commits its transaction instead of leaving it to time out. A stream thread that dies is replaced
 * rather than taking the instance down: the failed task's transaction aborts and it resumes from
 * its last commit.
 */
@Context
final class StreamsLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsLifecycle.class);

    private final KafkaStreams streams;

    StreamsLifecycle(KafkaStreams streams) {
        this.streams = streams;
    }

    @PostConstruct
    void start() {
        streams.setUncaughtExceptionHandler(error -> {
            LOG.error("Stream thread failed; replacing it and resuming from the last commit", error);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("Kafka Streams {} -> {}", before, now));
        streams.start();
    }

    @PreDestroy
    void stop() {
        streams.close(Duration.ofSeconds(30));
    }
}
