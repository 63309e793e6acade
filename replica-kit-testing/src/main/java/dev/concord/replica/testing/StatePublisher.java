package dev.concord.replica.testing;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityTypes;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes states to {@code concord.state.<type>} as the processor would, for a test's own types:
 * connects the contract (creating the topics, registering the schemas) and a producer tuned for bulk
 * (lingering, large batches, lz4), which sends a hundred thousand states in a few seconds.
 */
public final class StatePublisher implements AutoCloseable {

    private final ConcordContract contract;
    private final KafkaProducer<String, EntityState> producer;

    private StatePublisher(ConcordContract contract, KafkaProducer<String, EntityState> producer) {
        this.contract = contract;
        this.producer = producer;
    }

    public static StatePublisher connect(String bootstrapServers, TestTypes types) {
        ConcordContract contract = ConcordContract.connect(Map.of("bootstrap.servers", bootstrapServers),
                EntityTypes.load(types.location())).registerWriterSchemas();
        KafkaProducer<String, EntityState> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new StringSerializer(), contract.topics().stateSerde().serializer());
        return new StatePublisher(contract, producer);
    }

    /** The contract the states are written with (its catalog, to register an evolved schema). */
    public ConcordContract contract() {
        return contract;
    }

    public CustomerStates states(String type) {
        return new CustomerStates(contract, type);
    }

    /** Sends one state (null: a Kafka tombstone) and waits for the acknowledgement. */
    public RecordMetadata publish(String type, String id, EntityState state) {
        try {
            return producer.send(new ProducerRecord<>(TopicNames.state(type), id, state)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish state of " + type + "/" + id, e.getCause());
        }
    }

    /** Decodes a state record's value as the replica reads it. */
    public EntityState decodeState(String type, byte[] value) {
        return contract.topics().stateSerde().deserializer().deserialize(TopicNames.state(type), value);
    }

    /** Sends without waiting; {@link #flush()} waits for every send so far. */
    public void send(String type, String id, EntityState state) {
        producer.send(new ProducerRecord<>(TopicNames.state(type), id, state), (metadata, error) -> {
            if (error != null) {
                throw new IllegalStateException("could not publish state of " + type + "/" + id, error);
            }
        });
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() throws Exception {
        producer.close();
        contract.close();
    }
}
