package dev.concord.k8s;

import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.tools.ContractFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What the Concord services read and use, taken from the sources rather than from the manifests: the
 * environment variables in each service's application.yml, the entity types of the contract's
 * declaration, the topic names of {@link TopicNames}.
 */
final class ConcordServices {

    static final String PRODUCER = "producer-service";
    static final String PROCESSOR = "sync-processor";
    static final String CONSUMER = "consumer-service";
    static final List<String> ALL = List.of(PRODUCER, PROCESSOR, CONSUMER);

    /** The switch that makes a service leave topic creation to Strimzi (until the services read it, they create). */
    static final String PROVISION_TOPICS = "CONCORD_PROVISION_TOPICS";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    private static final Pattern DEFAULTED = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):`?([^`}]*)`?}");

    private ConcordServices() {
    }

    static Path applicationYml(String service) {
        return Kustomize.repo().resolve(service).resolve("src/main/resources/application.yml");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every {@code ${NAME...}} placeholder in the service's application.yml. */
    static Set<String> placeholders(String service) {
        Set<String> names = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(read(applicationYml(service)));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The default of {@code ${NAME:default}} in the service's application.yml. */
    static String defaultOf(String service, String variable) {
        Matcher m = DEFAULTED.matcher(read(applicationYml(service)));
        while (m.find()) {
            if (m.group(1).equals(variable)) {
                return m.group(2);
            }
        }
        throw new AssertionError(applicationYml(service) + " has no ${" + variable + ":default}");
    }

    /**
     * Environment variable families a service maps onto a flat map of client properties: every service
     * passes {@code concord.kafka.*} (CONCORD_KAFKA_SECURITY_PROTOCOL = security.protocol) to its Kafka
     * clients; sync-processor passes {@code concord.streams.*} to Kafka Streams. The map: prefix to the
     * property names that may follow it.
     */
    static Map<String, Set<String>> families(String service) {
        Set<String> clientProperties = new TreeSet<>();
        clientProperties.addAll(AdminClientConfig.configNames());
        clientProperties.addAll(ProducerConfig.configNames());
        clientProperties.addAll(ConsumerConfig.configNames());
        if (!PROCESSOR.equals(service)) {
            return Map.of("CONCORD_KAFKA_", clientProperties);
        }
        Set<String> streamsProperties = new TreeSet<>(StreamsConfig.configDef().names());
        streamsProperties.addAll(ProducerConfig.configNames());
        streamsProperties.addAll(ConsumerConfig.configNames());
        return Map.of("CONCORD_KAFKA_", clientProperties, "CONCORD_STREAMS_", streamsProperties);
    }

    /** CONCORD_KAFKA_SSL_TRUSTSTORE_TYPE -> ssl.truststore.type. */
    static String propertyOf(String variable, String prefix) {
        return variable.substring(prefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The contract's declaration (schemas/src/main/resources/concord-types.json). */
    static Path declaration() {
        return Kustomize.repo().resolve(ContractFiles.DECLARATION);
    }

    static EntityTypes declaredTypes() {
        return EntityTypes.load(declaration().toString());
    }

    /** The schema file behind a declaration's schema location, in the schemas module. */
    static Path schemaSource(String location) {
        return Kustomize.repo().resolve(ContractFiles.repositoryPath(location));
    }

    static List<String> eventTopics(EntityTypes types) {
        return types.all().stream().map(t -> TopicNames.events(t.name())).toList();
    }

    static List<String> stateTopics(List<EntityType> types) {
        return types.stream().map(t -> TopicNames.state(t.name())).toList();
    }

    /** Every topic a service creates when it provisions (TopicProvisioner + the catalog topic). */
    static Set<String> allTopics(EntityTypes types) {
        Set<String> topics = new LinkedHashSet<>();
        for (EntityType type : types.all()) {
            topics.add(TopicNames.events(type.name()));
            topics.add(TopicNames.state(type.name()));
        }
        topics.addAll(List.of(TopicNames.CONFLICTS, TopicNames.REJECTED, TopicNames.DLQ, TopicNames.SCHEMAS));
        return topics;
    }

    /** The types a replica applies: CONCORD_REPLICA_TYPES (comma-separated), empty = all declared. */
    static List<EntityType> replicatedTypes(EntityTypes declared, String setting) {
        if (setting == null || setting.isBlank()) {
            return declared.all();
        }
        List<EntityType> types = new ArrayList<>();
        for (String name : setting.split(",")) {
            types.add(declared.require(name.trim()));
        }
        return types;
    }

    static String describe(Set<?> values) {
        return values.stream().map(String::valueOf).sorted().collect(Collectors.joining("\n  ", "\n  ", ""));
    }
}
