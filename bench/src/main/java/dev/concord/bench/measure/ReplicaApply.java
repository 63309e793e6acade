package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.bench.load.LoadGenerator;
import dev.concord.bench.load.LoadSpec;
import dev.concord.bench.report.Measurement;
import dev.concord.bench.report.Results;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.topics.Topic;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A fresh replica bootstrapping N entities from a preloaded state topic: its apply rate beside plain
 * batched {@code INSERT … ON CONFLICT} of the same rows into the same PostgreSQL, and its time until
 * caught up beside a plain consumer reading the same topic.
 */
public final class ReplicaApply {

    private final BenchEnvironment env;

    public ReplicaApply(BenchEnvironment env) {
        this.env = env;
    }

    public void run(Results results, int entities, boolean applyRate, boolean bootstrap) throws Exception {
        EntityType type = env.newType("replica", MergePolicy.LAST_WRITER_WINS, 6);
        try (ConcordContract contract = env.contract(type)) {
            List<EntityState> states = preloadStates(contract, type, entities, false);
            Topic<String, EntityState> topic = contract.topics().state(type);
            long end = Topics.totalNextRecordOffset(env.kafkaConfig(), topic.name());

            long readStart = System.nanoTime();
            Topics.readToEnd(env.kafkaConfig(), topic.name(), record -> { });
            double plainReadSeconds = (System.nanoTime() - readStart) / 1e9;
            double plainInsertRate = applyRate ? plainInsert(contract, type, states) : 0;

            try (ReplicaProcess replica = new ReplicaProcess(env, type, "replica_" + type.name().replace('-', '_'))) {
                replica.awaitConsumed(end, Duration.ofMinutes(15));
                double caughtUpSeconds = replica.sinceLaunch().toMillis() / 1000.0;
                String shape = entities + " entities of ~200 B, 6 partitions";
                if (applyRate) {
                    results.add(new Measurement("replica apply rate", "rows/s", replica.applyRate(),
                            "plain batched INSERT … ON CONFLICT", plainInsertRate, true, shape));
                }
                if (bootstrap) {
                    results.add(new Measurement("fresh replica: launch → caught up (" + entities + ")", "s", caughtUpSeconds,
                            "plain consumer reading the topic", plainReadSeconds, false, shape + "; includes JVM and service start"));
                }
                replica.stopAndProfile().ifPresent(summary -> results.addProfile("replica applying " + entities + " entities", summary));
            }
            if (applyRate || bootstrap) {
                ReplicaKitApply.Result kit = new ReplicaKitApply(env).run(type, entities, 1, ReplicaKitApply.Guard.VERSION_COLUMN);
                String shape = entities + " entities of ~200 B, 6 partitions; the kit in process on a connection pool, a ColumnProjection guarded by the table's version column, offsets in each poll's transaction";
                if (applyRate) {
                    results.add(new Measurement("replica kit apply rate (a team's projection)", "rows/s", kit.applyRate(),
                            "plain batched INSERT … ON CONFLICT", plainInsertRate, true, shape));
                    ConnectJdbcSinkApply.Result debezium = new ConnectJdbcSinkApply(env).run(type, entities);
                    results.add(new Measurement("replica kit apply rate against what a team would run instead", "rows/s", kit.applyRate(),
                            "Debezium JDBC sink under Kafka Connect standalone (upsert, no version guard, offsets in Kafka)",
                            debezium.applyRate(), true, shape + "; the sink: one task, 2,000 records per poll and per batch, "
                            + String.format("all rows %.1f s after its JVM launched", debezium.launchToAllRowsSeconds())));
                }
                if (bootstrap) {
                    // The yardstick: ready at ≥ 0.5 of the slower of reading the topic and COPYing the rows,
                    // i.e. in at most twice the slower one's time.
                    double copySeconds = plainCopy(contract, type, states);
                    String baseline = String.format("the slower of a plain consumer reading the topic (%.1f s) and COPY of the rows (%.1f s)",
                            plainReadSeconds, copySeconds);
                    results.add(new Measurement("replica kit, fresh: start → caught up (" + entities + ")", "s", kit.caughtUpSeconds(),
                            baseline, Math.max(plainReadSeconds, copySeconds), false, shape + "; consumer group join included; target ≤ 2× the baseline"));
                    ReplicaKitApply.Result three = new ReplicaKitApply(env).run(type, entities, 3, ReplicaKitApply.Guard.VERSION_COLUMN);
                    results.add(new Measurement("replica kit with 3 appliers, fresh: start → caught up (" + entities + ")", "s",
                            three.caughtUpSeconds(), baseline, Math.max(plainReadSeconds, copySeconds), false,
                            shape + "; three applier threads sharing the 6 partitions; target ≤ 2× the baseline"));
                    ReplicaKitApply.Result guardTable = new ReplicaKitApply(env).run(type, entities, 3, ReplicaKitApply.Guard.KIT_TABLE);
                    results.add(new Measurement("replica kit with 3 appliers, versions in its guard table, fresh: start → caught up ("
                            + entities + ")", "s", guardTable.caughtUpSeconds(), baseline, Math.max(plainReadSeconds, copySeconds), false,
                            shape + "; as above, for a table without a version column of its own: two writes per row"));
                }
            }
        }
    }

    /**
     * Instances of one replica (one consumer group, one database) applying the same states: the apply rate with
     * each count of instances beside one instance's, measured in the same run. The instances start on an empty
     * topic and the states appear all at once (one Kafka transaction; replicas read committed) only when the
     * group is stable with every instance assigned: what is measured is parallel apply, not start-up and
     * rebalancing.
     */
    public void scaleOut(Results results, int entities, List<Integer> instanceCounts) throws Exception {
        double single = Double.NaN;
        for (int count : instanceCounts) {
            EntityType type = env.newType("scaleout" + count, MergePolicy.LAST_WRITER_WINS, 6);
            try (ConcordContract contract = env.contract(type)) {
                String name = "scaleout_" + count + "_" + type.name().replace('-', '_');
                String jdbcUrl = env.newDatabase(name);
                String group = "bench-" + UUID.randomUUID();
                List<ReplicaProcess> instances = new ArrayList<>();
                try {
                    for (int i = 0; i < count; i++) {
                        instances.add(new ReplicaProcess(env, type, name + "_" + i, jdbcUrl, group));
                    }
                    instances.forEach(ReplicaProcess::awaitHealthy);
                    awaitEveryInstanceAssigned(group, count);
                    preloadStates(contract, type, entities, true);
                    long end = Topics.totalNextRecordOffset(env.kafkaConfig(), contract.topics().state(type).name());
                    instances.get(0).awaitConsumed(end, Duration.ofMinutes(15));
                    double rate = instances.get(0).applyRate();
                    if (count == instanceCounts.get(0)) {
                        single = rate;
                    }
                    results.add(new Measurement("replica apply rate, " + count + " instance(s) on one store", "rows/s", rate,
                            instanceCounts.get(0) + " instance(s), same run", single, true,
                            entities + " entities of ~200 B in one transaction, 6 partitions, one consumer group, one database"));
                } finally {
                    instances.forEach(ReplicaProcess::close);
                }
            }
        }
    }

    private void awaitEveryInstanceAssigned(String group, int count) {
        try (Admin admin = Admin.create(env.kafkaConfig())) {
            Waiting.until("a stable group of " + count + " instances, each with partitions", Duration.ofMinutes(2), () -> {
                try {
                    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                    return description.groupState() == GroupState.STABLE && description.members().size() == count
                            && description.members().stream().noneMatch(member -> member.assignment().topicPartitions().isEmpty());
                } catch (Exception notYet) {
                    return false;
                }
            });
        }
    }

    /** @param atOnce in one transaction, so that a read_committed reader sees none of them, then all */
    private List<EntityState> preloadStates(ConcordContract contract, EntityType type, int entities, boolean atOnce) throws Exception {
        List<EntityEvent> events = new LoadGenerator(contract.payloads()).generate(type, LoadSpec.uniqueEntities(entities, 200),
                System.currentTimeMillis());
        Topic<String, EntityState> topic = contract.topics().state(type);
        Map<String, Object> config = new HashMap<>(env.kafkaConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        if (atOnce) {
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-preload-" + UUID.randomUUID());
        }
        List<EntityState> states = new ArrayList<>(entities);
        try (KafkaProducer<String, EntityState> producer = new KafkaProducer<>(config, new StringSerializer(), topic.valueSerde().serializer())) {
            if (atOnce) {
                producer.initTransactions();
                producer.beginTransaction();
            }
            for (EntityEvent event : events) {
                EntityState state = EntityState.newBuilder().setEntityType(type.name()).setEntityId(event.getEntityId())
                        .setVersion(1).setClock(event.getClock()).setWriter(event.getWriter()).setDeleted(false)
                        .setPayload(event.getPayload()).setFieldStamps(Map.of()).setLastEventId(event.getEventId())
                        .setUpdatedAt(Instant.now()).build();
                states.add(state);
                producer.send(new ProducerRecord<>(topic.name(), state.getEntityId(), state));
            }
            if (atOnce) {
                producer.commitTransaction();
            }
            producer.flush();
        }
        return states;
    }

    /** The same rows, the same JSON, in one COPY (PostgreSQL's bulk load): the fastest way in, without any guard. */
    private double plainCopy(ConcordContract contract, EntityType type, List<EntityState> states) throws Exception {
        String url = env.newDatabase("copy_" + type.name().replace('-', '_'));
        try (Connection db = env.connect(url)) {
            EntityTable.create(db);
            long start = System.nanoTime();
            StringBuilder rows = new StringBuilder(states.size() * 256);
            for (EntityState state : states) {
                String json = AvroToJson.toJson(contract.payloads().decode(state.getPayload(), type.schema())).toString();
                rows.append(type.name()).append('\t').append(state.getEntityId()).append('\t').append(state.getVersion()).append('\t')
                        .append(json.replace("\\", "\\\\")).append("\tnow\n");
            }
            new org.postgresql.copy.CopyManager(db.unwrap(org.postgresql.core.BaseConnection.class))
                    .copyIn("COPY entity FROM STDIN", new java.io.StringReader(rows.toString()));
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** The same rows, the same JSON, batched 1,000 per statement batch and committed per batch. */
    private double plainInsert(ConcordContract contract, EntityType type, List<EntityState> states) throws Exception {
        String url = env.newDatabase("plain_" + type.name().replace('-', '_'));
        try (Connection db = env.connect(url)) {
            EntityTable.create(db);
            db.setAutoCommit(false);
            long start = System.nanoTime();
            try (PreparedStatement upsert = db.prepareStatement("INSERT INTO entity VALUES (?, ?, ?, ?::jsonb, now()) "
                    + "ON CONFLICT (entity_type, entity_id) DO UPDATE SET version = EXCLUDED.version, data = EXCLUDED.data "
                    + "WHERE entity.version < EXCLUDED.version")) {
                int inBatch = 0;
                for (EntityState state : states) {
                    upsert.setString(1, type.name());
                    upsert.setString(2, state.getEntityId());
                    upsert.setLong(3, state.getVersion());
                    upsert.setString(4, AvroToJson.toJson(contract.payloads().decode(state.getPayload(), type.schema())).toString());
                    upsert.addBatch();
                    if (++inBatch == 1000) {
                        upsert.executeBatch();
                        db.commit();
                        inBatch = 0;
                    }
                }
                upsert.executeBatch();
                db.commit();
            }
            return states.size() * 1e9 / (System.nanoTime() - start);
        }
    }
}
