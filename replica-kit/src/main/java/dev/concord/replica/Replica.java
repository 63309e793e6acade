package dev.concord.replica;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.apply.CatchUpTracker;
import dev.concord.replica.apply.MicrometerReplicaMetrics;
import dev.concord.replica.apply.ReplicaConsumerConfig;
import dev.concord.replica.apply.ReplicaMetrics;
import dev.concord.replica.apply.StateApplier;
import dev.concord.replica.apply.StateRecordDecoder;
import dev.concord.replica.jdbc.Projection;
import dev.concord.replica.jdbc.ProjectionSink;
import dev.concord.replica.jdbc.ReplicaTables;
import dev.concord.replica.jdbc.TypeBinding;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A replica of some Concord entity types in a service's own PostgreSQL tables, in plain Java:
 *
 * <pre>{@code
 * Replica replica = Replica.builder()
 *         .name("customer-directory")                      // its consumer group; its rows in the kit's tables
 *         .kafka(Map.of("bootstrap.servers", "kafka:9092")) // and the security settings
 *         .types(EntityTypes.load("/etc/concord/types/concord-types.json"))
 *         .dataSource(dataSource)
 *         .project("customer", Customer.class, new CustomersTable())
 *         .start();
 * replica.caughtUp();   // readiness: every partition applied up to its end as of its assignment
 * }</pre>
 *
 * It bootstraps from the compacted state topics, hands each change newer than what the tables hold to the type's
 * {@link Projection} inside the transaction that stores the version guard and the offsets, and keeps going through
 * outages (the applier restarts from the stored offsets with back-off). consumer-service runs on the same engine
 * ({@link StateApplier}) with its generic table.
 */
public final class Replica implements AutoCloseable {

    private final ConcordContract contract;
    private final ProjectionSink sink;
    private final StateApplierStarter starter;
    private final CatchUpTracker catchUp;
    private volatile StateApplier applier;

    private Replica(ConcordContract contract, ProjectionSink sink, StateApplierStarter starter, CatchUpTracker catchUp) {
        this.contract = contract;
        this.sink = sink;
        this.starter = starter;
        this.catchUp = catchUp;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True once every assigned partition is applied up to its end offset as of its assignment (a readiness probe). */
    public boolean caughtUp() {
        return catchUp.caughtUp();
    }

    public StateApplier.Status status() {
        return applier.status();
    }

    public StateApplier.DeadLetters deadLetters() {
        return applier.deadLetters();
    }

    /**
     * Forgets everything this replica holds (the kit's rows and, through {@link Projection#clear}, the
     * projections') and reads the state topics again from their beginning: for a table rebuilt by hand, a projection
     * whose mapping changed, or a suspected divergence. Readiness drops until it has caught up again.
     */
    public synchronized void rebootstrap() throws InterruptedException {
        applier.close();
        sink.forgetEverything();
        catchUp.reset();
        applier = starter.start();
    }

    @Override
    public synchronized void close() throws Exception {
        applier.close();
        contract.close();
    }

    private interface StateApplierStarter {
        StateApplier start();
    }

    public static final class Builder {

        private String name;
        private Map<String, Object> kafka;
        private EntityTypes types;
        private DataSource dataSource;
        private MeterRegistry registry;
        private Map<String, Object> consumerOverrides = Map.of();
        private boolean createTables = true;
        private CatchUpTracker catchUp = new CatchUpTracker();
        private final List<TypeBinding<?>> bindings = new ArrayList<>();

        private Builder() {
        }

        /** The replica's name: its Kafka consumer group, and its rows in the kit's tables. One per set of tables. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Kafka client settings: bootstrap servers and security (the same as Concord's services use). */
        public Builder kafka(Map<String, Object> clientConfig) {
            this.kafka = Map.copyOf(clientConfig);
            return this;
        }

        /** Consumer-only tuning, e.g. {@code max.poll.records} (records per transaction). */
        public Builder consumer(Map<String, Object> overrides) {
            this.consumerOverrides = Map.copyOf(overrides);
            return this;
        }

        /** The contract's type declaration (the one Concord's services read). */
        public Builder types(EntityTypes declared) {
            this.types = declared;
            return this;
        }

        public Builder dataSource(DataSource dataSource) {
            this.dataSource = dataSource;
            return this;
        }

        /** Micrometer metrics ({@code concord.replica.*}: lag, freshness, apply); none without it. */
        public Builder metrics(MeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** Where readiness is tracked, when something else reads it too (a health indicator). */
        public Builder catchUp(CatchUpTracker tracker) {
            this.catchUp = tracker;
            return this;
        }

        /** Whether to create the kit's tables if absent (default); false where the team's migrations include {@link ReplicaTables#SCRIPT}. */
        public Builder createTables(boolean create) {
            this.createTables = create;
            return this;
        }

        /** The type's changes as its generated Avro class. */
        public <T extends SpecificRecord> Builder project(String type, Class<T> generated, Projection<T> projection) {
            return bind(TypeBinding.specific(type, generated, projection));
        }

        /** The type's changes as Avro's generic record, decoded with the declared schema. */
        public Builder projectGeneric(String type, Projection<GenericRecord> projection) {
            return bind(TypeBinding.generic(type, projection));
        }

        public Builder bind(TypeBinding<?> binding) {
            bindings.add(binding);
            return this;
        }

        public Replica start() {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kafka, "kafka");
            Objects.requireNonNull(types, "types");
            Objects.requireNonNull(dataSource, "dataSource");
            if (bindings.isEmpty()) {
                throw new IllegalStateException("no projection bound: call project(type, ...) for each type to replicate");
            }
            if (createTables) {
                ReplicaTables.createIfAbsent(dataSource);
            }
            ReplicatedTypes replicated = ReplicatedTypes.select(types, bindings.stream().map(TypeBinding::type).toList());
            ProjectionSink sink = new ProjectionSink(dataSource, name, bindings);
            sink.checkTables(typeName -> types.require(typeName).schema());
            // A replica reads: topics are created by Concord's deployment, never by a replica.
            ConcordContract contract = ConcordContract.connect(kafka, types, false);

            Map<String, Object> config = new HashMap<>(ReplicaConsumerConfig.of(contract.kafkaClientConfig(), consumerOverrides, name, "concord-replica"));
            StateRecordDecoder decoder = new StateRecordDecoder(replicated, contract.topics().stateSerde().deserializer(), contract.payloads());
            CatchUpTracker catchUp = this.catchUp;
            ReplicaMetrics metrics = registry == null ? ReplicaMetrics.NONE : new MicrometerReplicaMetrics(registry);
            StateApplierStarter starter = () -> new StateApplier(
                    () -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                    replicated.stateTopics(), decoder, sink, head -> { }, catchUp, metrics, Clock.systemUTC()).start();
            Replica replica = new Replica(contract, sink, starter, catchUp);
            replica.applier = starter.start();
            return replica;
        }
    }
}
