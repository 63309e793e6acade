package dev.concord.producer;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.topics.StateRecordLimits;
import dev.concord.contract.types.EntityTypes;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.EventPublisher;
import dev.concord.producer.write.PayloadLimits;
import dev.concord.testsupport.KafkaBrokerExtension;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the tests of the database doors (outbox relay, CDC) share: the declared types' contract on the test
 * broker, a producer configured as producer-service's own, the write path built on them, and reading an
 * entity's events back.
 */
public final class ContractOnTestBroker implements AutoCloseable {

    private final ConcordContract contract;
    private final KafkaProducer<String, EntityEvent> producer;

    private ContractOnTestBroker(ConcordContract contract, KafkaProducer<String, EntityEvent> producer) {
        this.contract = contract;
        this.producer = producer;
    }

    /** Needs {@link KafkaBrokerExtension} on the test class. */
    public static ContractOnTestBroker connect() {
        Map<String, Object> kafka = Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers());
        ConcordContract contract = ConcordContract.connect(kafka, EntityTypes.load(EntityTypes.DEFAULT_DECLARATION))
                .registerWriterSchemas();
        return new ContractOnTestBroker(contract, new KafkaProducer<>(ContractFactory.producerConfig(kafka), new StringSerializer(),
                contract.topics().eventSerde().serializer()));
    }

    public ConcordContract contract() {
        return contract;
    }

    /** Completes on the acknowledging thread (no executor hop), counting into {@code metrics}. */
    public EventPublisher publisher(WriteMetrics metrics) {
        return new EventPublisher(producer, Runnable::run, metrics, contract);
    }

    public EventFactory events() {
        return new EventFactory(contract, new PayloadLimits(StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES, contract.types()));
    }

    /** The entity's events on its type's topic, to the current end. */
    public List<EntityEvent> events(String type, String entityId) {
        return TopicEvents.of(KafkaBrokerExtension.bootstrapServers(), contract, type, entityId);
    }

    public GenericRecord payload(EntityEvent event) {
        return TopicEvents.payload(contract, event);
    }

    @Override
    public void close() throws Exception {
        producer.close();
        contract.close();
    }
}
