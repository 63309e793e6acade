package dev.concord.replica;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.apply.CatchUpTracker;
import dev.concord.replica.apply.MicrometerReplicaMetrics;
import dev.concord.replica.apply.BootstrapProgress;
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
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
public final class Replica implements BootstrapProgress, AutoCloseable {

    private final ConcordContract contract;
    private final ProjectionSink sink;
    private final List<Applier> appliers;

    /** One applier thread with its own consumer and readiness; a replica runs one or more in its consumer group. */
    private static final class Applier {
        private final Supplier<StateApplier> starter;
        private final CatchUpTracker catchUp;
        private StateApplier running;

        Applier(java.util.function.Function<CatchUpTracker, StateApplier> starter) {
            this.catchUp = new CatchUpTracker();
            this.starter = () -> starter.apply(catchUp);
        }

        void start() {
            running = starter.get();
        }

        void stop() throws InterruptedException {
            running.close();
        }
    }

    private Replica(ConcordContract contract, ProjectionSink sink, List<Applier> appliers) {
        this.contract = contract;
        this.sink = sink;
        this.appliers = List.copyOf(appliers);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True once every assigned partition is applied up to its end offset as of its assignment (a readiness probe). */
    public boolean caughtUp() {
        return progress().caughtUp();
    }

    /** Bootstrap progress over every applier (readiness details). */
    @Override
    public CatchUpTracker.Progress progress() {
        return CatchUpTracker.Progress.of(appliers.stream().map(applier -> applier.catchUp.progress()).toList());
    }

    /** The applier's status; with several appliers, the first that is not applying, else the first. */
    public StateApplier.Status status() {
        return appliers.stream().map(applier -> applier.running.status()).filter(status -> !status.applying()).findFirst()
                .orElse(appliers.get(0).running.status());
    }

    /** Records dead-lettered since start, over every applier; the last one of the applier that dead-lettered most recently. */
    public StateApplier.DeadLetters deadLetters() {
        long count = 0;
        StateApplier.DeadLetters latest = new StateApplier.DeadLetters(0, null, null);
        for (Applier applier : appliers) {
            StateApplier.DeadLetters letters = applier.running.deadLetters();
            count += letters.count();
            if (letters.lastAt() != null && (latest.lastAt() == null || letters.lastAt().isAfter(latest.lastAt()))) {
                latest = letters;
            }
        }
        return new StateApplier.DeadLetters(count, latest.last(), latest.lastAt());
    }

    /**
     * Forgets everything this replica holds (the kit's rows and, through {@link Projection#clear}, the
     * projections') and reads the state topics again from their beginning: for a table rebuilt by hand, a projection
     * whose mapping changed, or a suspected divergence. Readiness drops until it has caught up again.
     */
    public synchronized void rebootstrap() throws InterruptedException {
        for (Applier applier : appliers) {
            applier.stop();
        }
        sink.forgetEverything();
        for (Applier applier : appliers) {
            applier.catchUp.reset();
            applier.start();
        }
    }

    @Override
    public synchronized void close() throws Exception {
        for (Applier applier : appliers) {
            applier.stop();
        }
        contract.close();
    }

    public static final class Builder {

        public static final int DEFAULT_APPLIERS = 3;

        private String name;
        private Map<String, Object> kafka;
        private EntityTypes types;
        private DataSource dataSource;
        private MeterRegistry registry;
        private Map<String, Object> consumerOverrides = Map.of();
        private boolean createTables = true;
        private int appliers = DEFAULT_APPLIERS;
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

        /**
         * Applier threads, each with its own consumer in the replica's group and its own transactions (default
         * {@value #DEFAULT_APPLIERS}): the partitions of the replicated types are shared among them. One applier leaves
         * the database idle while it decodes and the CPU idle while it waits; three filled two cores in the bootstrap
         * measurement (docs/performance.md, "A fresh replica in a team's table": 1.6–1.9× faster than one). At most the
         * partition count of the types is useful; an applier without partitions costs an idle consumer.
         */
        public Builder appliers(int count) {
            if (count < 1 || count > 64) {
                throw new IllegalArgumentException("appliers must be between 1 and 64; got " + count);
            }
            this.appliers = count;
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
            ReplicaMetrics metrics = registry == null ? ReplicaMetrics.NONE : new MicrometerReplicaMetrics(registry);
            List<Applier> running = new ArrayList<>();
            for (int i = 0; i < appliers; i++) {
                Map<String, Object> own = new HashMap<>(config);
                own.put(ConsumerConfig.CLIENT_ID_CONFIG, config.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-" + i);
                running.add(new Applier(catchUp -> new StateApplier(
                        () -> new KafkaConsumer<>(own, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                        replicated.stateTopics(), decoder, sink, head -> { }, catchUp, metrics, Clock.systemUTC()).start()));
            }
            Replica replica = new Replica(contract, sink, running);
            running.forEach(Applier::start);
            return replica;
        }
    }
}
