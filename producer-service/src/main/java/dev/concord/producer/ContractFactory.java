package dev.concord.producer;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.KafkaClientProperties;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.settings.Settings;
import dev.concord.contract.topics.StateRecordLimits;
import dev.concord.producer.clock.WriterClock;
import dev.concord.producer.publish.IdempotencyCache;
import dev.concord.producer.write.LocalState;
import dev.concord.producer.write.PayloadLimits;
import dev.concord.producer.write.WriterIds;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.convert.format.MapFormat;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the contract-level beans of producer-service from configuration: the {@link ConcordContract}
 * (declared types, schema catalog, typed topics, payload codec), this writer's hybrid logical clock,
 * the idempotency cache and the Kafka producer for events.
 *
 * <p>Input: the {@code concord.kafka} subtree as flat Kafka client properties (bootstrap servers plus
 * anything else, e.g. security settings) and {@code concord.types}, the type declaration location.
 * Start-up fails fast when Kafka is unreachable or a writer schema breaks compatibility: a producer
 * that cannot register its schemas must not accept writes.
 */
@Factory
public class ContractFactory {

    private static final Logger LOG = LoggerFactory.getLogger(ContractFactory.class);

    /**
     * Connects to Kafka, provisions the declared topics and registers this service's writer schemas.
     * Eager ({@code @Context}): a producer that cannot do this must fail at start, not on its first request.
     */
    @Context
    @Bean(preDestroy = "close")
    public ConcordContract concordContract(
            @Property(name = "concord.kafka") @MapFormat(transformation = MapFormat.MapTransformation.FLAT) Map<String, Object> kafkaSettings,
            Settings settings) {
        Map<String, Object> kafkaClientConfig = kafkaClientConfig(kafkaSettings);
        // Keys only: values may be credentials.
        LOG.info("Connecting to Kafka at {} with client settings {}", kafkaClientConfig.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG),
                new TreeSet<>(kafkaClientConfig.keySet()));
        return ConcordContract.connect(kafkaClientConfig, settings).registerWriterSchemas();
    }



    /**
     * One clock per writer id: its readings order this writer's events; the writer id breaks ties. Its
     * high-water mark lives in the data directory, one file per writer id, so a restart never goes back.
     */
    @Context
    public WriterClock writerClock(Settings settings) {
        String writerId = WriterIds.configured(settings);
        Duration reserve = settings.duration("concord.clock.reserve", Duration.ofSeconds(10));
        return WriterClock.persistent(LocalState.directory(settings).resolve("hlc-" + writerId.replaceAll("[^A-Za-z0-9._-]", "_") + ".hwm"),
                reserve);
    }

    /**
     * The size limits of every door, derived from what sync-processor can write ({@code concord.limits.max-output-bytes}
     * must equal the processor's {@code concord.sync.max-output-bytes}).
     */
    @Context
    public PayloadLimits payloadLimits(ConcordContract contract, Settings settings) {
        return new PayloadLimits(settings.count("concord.limits.max-output-bytes", StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES,
                1_024, Integer.MAX_VALUE), contract.types());
    }

    /** Per-instance answers to requests with an Idempotency-Key (the first level of idempotency). */
    @Context
    public IdempotencyCache idempotencyCache(Settings settings) {
        return new IdempotencyCache(settings.number("concord.idempotency.max-entries", 50_000, 0, 100_000_000),
                settings.duration("concord.idempotency.ttl", Duration.ofHours(24)));
    }

    /**
     * A plain {@link KafkaProducer} rather than a declarative {@code @KafkaClient}: the event serializer
     * is built from the schema catalog at run time ({@code contract.topics().eventSerde()}), which
     * micronaut-kafka's serde registry cannot inject.
     */
    @Context
    @Bean(preDestroy = "close")
    public KafkaProducer<String, EntityEvent> eventProducer(ConcordContract contract) {
        return new KafkaProducer<>(producerConfig(contract.kafkaClientConfig()),
                new StringSerializer(), contract.topics().eventSerde().serializer());
    }

    /** The Kafka client properties under {@code concord.kafka}, Kafka's own (dotted) names only. */
    static Map<String, Object> kafkaClientConfig(Map<String, Object> kafkaSettings) {
        return KafkaClientProperties.fromConfiguration(kafkaSettings);
    }

    public static Map<String, Object> producerConfig(Map<String, Object> kafkaClientConfig) {
        Map<String, Object> config = new HashMap<>(kafkaClientConfig);
        // A 202 promises the event is durable: every in-sync replica has it, and retries never duplicate it.
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Each request waits for its own acknowledgement, so batching may only add a few milliseconds.
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        // A dead or unreachable Kafka answers within ~10 s (metadata wait, then delivery), so the
        // client gets a 503 it can retry instead of a hanging request.
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "concord-producer-service");
        return config;
    }
}
