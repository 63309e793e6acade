package dev.concord.k8s;

import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** ACLs as Strimzi's simple authorization spells them, one operation each, and what each service needs. */
final class KafkaAcls {

    /** e.g. (topic, concord.events.customer, literal, Write). */
    record Acl(String type, String name, String pattern, String operation) {
        @Override
        public String toString() {
            return type + " " + name + (pattern.equals("literal") ? "" : " (" + pattern + ")") + ": " + operation;
        }
    }

    private KafkaAcls() {
    }

    /** The ACLs of a rendered KafkaUser, one entry per operation. */
    static Set<Acl> of(Map<String, Object> kafkaUser) {
        Set<Acl> acls = new LinkedHashSet<>();
        for (Object entry : Y.list(kafkaUser, "spec", "authorization", "acls")) {
            String type = Y.str(entry, "resource", "type");
            String name = Y.str(entry, "resource", "name");
            String pattern = Y.str(entry, "resource", "patternType") == null ? "literal" : Y.str(entry, "resource", "patternType");
            List<Object> operations = Y.list(entry, "operations");
            if (operations.isEmpty() && Y.str(entry, "operation") != null) {
                operations = List.of(Y.str(entry, "operation"));
            }
            String type1 = "Deny".equalsIgnoreCase(Y.str(entry, "type")) ? "deny " + type : type;
            for (Object op : operations) {
                acls.add(new Acl(type1, name, pattern, String.valueOf(op)));
            }
        }
        return acls;
    }

    private static void add(Set<Acl> acls, String type, String name, String pattern, String... operations) {
        for (String op : operations) {
            acls.add(new Acl(type, name, pattern, op));
        }
    }

    /** producer-service: writes each type's events, reads the decisions (states, conflicts, rejected), registers and reads schemas. */
    static Set<Acl> producer(EntityTypes types, boolean provisions) {
        Set<Acl> acls = new LinkedHashSet<>();
        for (String topic : ConcordServices.eventTopics(types)) {
            add(acls, "topic", topic, "literal", "Write", "Describe");
        }
        for (EntityType type : types.all()) {
            add(acls, "topic", TopicNames.state(type.name()), "literal", "Read", "Describe");
        }
        decisions(acls);
        add(acls, "topic", TopicNames.SCHEMAS, "literal", "Read", "Write", "Describe");
        return withProvisioning(acls, types, provisions);
    }

    /**
     * sync-processor: reads events; writes state (and reads it back to restore), conflicts, rejected, dead letters; registers and reads
     * schemas; Kafka Streams' internal topics, group and transactional ids, all named after the application.id.
     */
    static Set<Acl> processor(EntityTypes types, String applicationId, boolean provisions) {
        Set<Acl> acls = new LinkedHashSet<>();
        for (EntityType type : types.all()) {
            add(acls, "topic", TopicNames.events(type.name()), "literal", "Read", "Describe");
            // Read too: the state topic is the state store's log, read back at every restore.
            add(acls, "topic", TopicNames.state(type.name()), "literal", "Read", "Write", "Describe");
        }
        // Read too: the watch for transactions left hanging describes the open transactions of every topic it writes.
        for (String topic : List.of(TopicNames.CONFLICTS, TopicNames.REJECTED, TopicNames.DLQ)) {
            add(acls, "topic", topic, "literal", "Read", "Write", "Describe");
        }
        add(acls, "topic", TopicNames.SCHEMAS, "literal", "Read", "Write", "Describe");
        add(acls, "topic", applicationId, "prefix", "Create", "Read", "Write", "Describe");
        add(acls, "group", applicationId, "literal", "Read");
        add(acls, "transactionalId", applicationId, "prefix", "Write", "Describe");
        return withProvisioning(acls, types, provisions);
    }

    /** consumer-service: reads the state topics of the types it replicates, the decisions and the schemas; its own group. */
    static Set<Acl> consumer(EntityTypes types, List<EntityType> replicated, String group, boolean provisions) {
        Set<Acl> acls = new LinkedHashSet<>();
        for (String topic : ConcordServices.stateTopics(replicated)) {
            add(acls, "topic", topic, "literal", "Read", "Describe");
        }
        decisions(acls);
        add(acls, "topic", TopicNames.SCHEMAS, "literal", "Read", "Describe");
        add(acls, "group", group, "literal", "Read");
        return withProvisioning(acls, types, provisions);
    }

    /** The ledgers of lost and refused writes, read (assigned, no group) to learn write outcomes (docs/consistency.md). */
    private static void decisions(Set<Acl> acls) {
        for (String topic : List.of(TopicNames.CONFLICTS, TopicNames.REJECTED)) {
            add(acls, "topic", topic, "literal", "Read", "Describe");
        }
    }

    /** KEDA's lag reader: Describe on each scaled group and the topics that group consumes. */
    static Set<Acl> lagReader(Map<String, List<String>> topicsByGroup) {
        Set<Acl> acls = new LinkedHashSet<>();
        topicsByGroup.forEach((group, topics) -> {
            add(acls, "group", group, "literal", "Describe");
            topics.forEach(topic -> add(acls, "topic", topic, "literal", "Describe"));
        });
        return acls;
    }

    /** A service that still provisions topics at start needs Create on every one of them, and only that. */
    private static Set<Acl> withProvisioning(Set<Acl> acls, EntityTypes types, boolean provisions) {
        if (provisions) {
            ConcordServices.allTopics(types).forEach(topic -> add(acls, "topic", topic, "literal", "Create"));
        }
        return acls;
    }
}
