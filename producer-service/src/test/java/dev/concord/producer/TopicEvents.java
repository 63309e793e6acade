package dev.concord.producer;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.types.EntityType;
import dev.concord.testsupport.KafkaTestClients;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.generic.GenericRecord;

/** Reads the events of one entity from its events topic (read_committed, to the current end) and decodes them. */
final class TopicEvents {

    private TopicEvents() {
    }

    static List<EntityEvent> of(String bootstrap, ConcordContract contract, String type, String entityId) {
        return KafkaTestClients.readAll(bootstrap, "concord.events." + type).stream()
                .filter(r -> r.key() != null && entityId.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .map(r -> contract.topics().eventSerde().deserializer().deserialize(r.topic(), r.value()))
                .toList();
    }

    static GenericRecord payload(ConcordContract contract, EntityEvent event) {
        EntityType type = contract.types().require(event.getEntityType());
        return contract.payloads().decode(event.getPayload(), type.schema());
    }
}
