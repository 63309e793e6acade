package dev.concord.contract;

import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.catalog.CatalogLog;
import dev.concord.contract.catalog.KafkaCatalogLog;
import dev.concord.contract.catalog.SchemaCatalog;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.settings.Settings;
import dev.concord.contract.topics.ConcordTopics;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.topics.TopicProvisioner;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import java.util.Map;

/**
 * Everything a Concord service needs to speak the contract, built once at start-up from the Kafka
 * client settings and the type declaration: the declared types, the schema catalog, the typed
 * topics and the payload codec. Plain Java, so tests build it without any framework.
 */
public final class ConcordContract implements AutoCloseable {

    private final Map<String, Object> kafkaClientConfig;
    private final EntityTypes types;
    private final SchemaCatalog catalog;
    private final ConcordTopics topics;
    private final PayloadCodec payloads;

    private ConcordContract(Map<String, Object> kafkaClientConfig, EntityTypes types, SchemaCatalog catalog) {
        this.kafkaClientConfig = Map.copyOf(kafkaClientConfig);
        this.types = types;
        this.catalog = catalog;
        this.topics = new ConcordTopics(catalog);
        this.payloads = new PayloadCodec(catalog);
    }

    /**
     * Connects to the catalog topic and makes sure every declared type's topics exist.
     *
     * @param kafkaClientConfig bootstrap servers and security settings for admin, producer and consumer clients
     */
    public static ConcordContract connect(Map<String, Object> kafkaClientConfig, EntityTypes types) {
        return connect(kafkaClientConfig, types, true);
    }

    /**
     * @param provisionTopics false where topics are declared elsewhere (Strimzi {@code KafkaTopic}s on
     *                        Kubernetes) and the service has no {@code Create} ACL: even a request for
     *                        an existing topic is refused without it
     */
    public static ConcordContract connect(Map<String, Object> kafkaClientConfig, EntityTypes types, boolean provisionTopics) {
        SchemaCatalog catalog = new SchemaCatalog(new KafkaCatalogLog(kafkaClientConfig, TopicNames.SCHEMAS, provisionTopics));
        if (provisionTopics) {
            TopicProvisioner.ensureTopics(kafkaClientConfig, types);
        }
        return new ConcordContract(kafkaClientConfig, types, catalog);
    }

    /**
     * The contract as a service's configuration describes it, the one way every service builds it: the declared
     * types ({@code concord.types}, default the bundled declaration) and whether missing topics are created
     * ({@code concord.provision-topics}, default true; false where Strimzi declares them).
     */
    public static ConcordContract connect(Map<String, Object> kafkaClientConfig, Settings settings) {
        return connect(kafkaClientConfig, EntityTypes.load(settings.text("concord.types", EntityTypes.DEFAULT_DECLARATION)),
                settings.flag("concord.provision-topics", true));
    }

    /** A contract whose catalog lives in memory: for unit and topology tests. */
    public static ConcordContract inMemory(EntityTypes types) {
        return new ConcordContract(Map.of(), types, new SchemaCatalog(CatalogLog.inMemory()));
    }

    /**
     * Registers the schemas this service writes with: the envelopes and each type's payload schema.
     * Fails, naming the fields, if a schema breaks compatibility with what is already registered.
     */
    public ConcordContract registerWriterSchemas() {
        catalog.register(SchemaCatalog.SUBJECT_ENTITY_EVENT, EntityEvent.getClassSchema());
        catalog.register(SchemaCatalog.SUBJECT_ENTITY_STATE, EntityState.getClassSchema());
        catalog.register(SchemaCatalog.SUBJECT_CONFLICT_RECORD, ConflictRecord.getClassSchema());
        catalog.register(SchemaCatalog.SUBJECT_REJECTED_EVENT, RejectedEvent.getClassSchema());
        for (EntityType type : types.all()) {
            catalog.register(type.subject(), type.schema());
        }
        return this;
    }

    public Map<String, Object> kafkaClientConfig() {
        return kafkaClientConfig;
    }

    public EntityTypes types() {
        return types;
    }

    public SchemaCatalog catalog() {
        return catalog;
    }

    public ConcordTopics topics() {
        return topics;
    }

    public PayloadCodec payloads() {
        return payloads;
    }

    @Override
    public void close() throws Exception {
        catalog.close();
    }
}
