package dev.concord.producer.admin;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.events.ParkingCommand;
import dev.concord.contract.events.ReplayRequest;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.problem.Problem;
import dev.concord.producer.write.RequestRefused;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/**
 * Writes operators' control records — replay requests ({@link ReplayRequest}), parking commands
 * ({@link dev.concord.contract.events.ParkingCommand}) — to a type's events topic with the service's event producer (the
 * one that holds the write ACL), and waits until Kafka acknowledged every one: a record about an entity keyed by its id,
 * like its events, so it reaches the task that holds the entity; a record about all of them, one per partition.
 */
@Singleton
public class ControlRecords {

    private final KafkaProducer<String, EntityEvent> producer;
    private final ConcordContract contract;

    ControlRecords(KafkaProducer<String, EntityEvent> producer, ConcordContract contract) {
        this.producer = producer;
        this.contract = contract;
    }

    int replay(EntityType type, List<String> ids) {
        return sendKeyed(type, ids, ReplayRequest.header(ReplayRequest.Scope.ENTITY), "replay requests");
    }

    int replayAll(EntityType type) {
        String topic = contract.topics().events(type).name();
        int partitions = producer.partitionsFor(topic).size();
        List<Future<RecordMetadata>> sent = new ArrayList<>(partitions);
        for (int partition = 0; partition < partitions; partition++) {
            sent.add(producer.send(new ProducerRecord<String, EntityEvent>(topic, partition, (String) null, null,
                    List.<Header>of(ReplayRequest.header(ReplayRequest.Scope.PARTITION)))));
        }
        return awaitAll(topic, sent, "replay requests");
    }

    void decide(EntityType type, String id, ParkingCommand.Action action) {
        sendKeyed(type, List.of(id), ParkingCommand.header(action), "parking command");
    }

    /** One record per id, keyed by it, with no value and the one header that says what it asks. */
    private int sendKeyed(EntityType type, List<String> ids, Header header, String what) {
        String topic = contract.topics().events(type).name();
        List<Future<RecordMetadata>> sent = new ArrayList<>(ids.size());
        for (String id : ids) {
            sent.add(producer.send(new ProducerRecord<String, EntityEvent>(topic, null, id, null, List.of(header))));
        }
        return awaitAll(topic, sent, what);
    }

    /** @throws RequestRefused 503 with Retry-After when Kafka does not acknowledge them all (a retry only replays again) */
    private static int awaitAll(String topic, List<Future<RecordMetadata>> sent, String what) {
        for (Future<RecordMetadata> acknowledged : sent) {
            try {
                acknowledged.get();
            } catch (ExecutionException e) {
                throw unavailable(topic, what, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unavailable(topic, what, e);
            }
        }
        return sent.size();
    }

    private static RequestRefused unavailable(String topic, String what, Throwable cause) {
        return new RequestRefused(503, Problem.of("kafka-unavailable", "Event store unavailable", 503,
                "Kafka did not acknowledge the " + what + " on " + topic + " (" + cause.getMessage()
                        + "); some may have been stored. Sending them twice is harmless: retry the request.", List.of()),
                Map.of("Retry-After", "5"));
    }
}
