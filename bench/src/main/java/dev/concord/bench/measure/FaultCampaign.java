package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.bench.load.HttpLoad;
import dev.concord.bench.load.KafkaLoad;
import dev.concord.bench.load.Ledger;
import dev.concord.bench.load.LoadGenerator;
import dev.concord.bench.load.LoadSpec;
import dev.concord.bench.load.OutboxLoad;
import dev.concord.bench.oracle.Oracle;
import dev.concord.bench.oracle.OracleReport;
import dev.concord.bench.oracle.ReferenceMerge;
import dev.concord.bench.report.Results;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.HybridClock;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The randomized fault campaign (issue 15; docs/reliability.md): each run draws a seed, and from it a load — several
 * writers with racing clocks, patches, deletes — and one to three faults at random moments while the load is sent:
 * a processor instance SIGKILLed and restarted (two instances share the partitions), a replica SIGKILLed and
 * restarted, events sent a second time with the same ids (a writer's retries), one writer's clock jumping ahead
 * mid-stream, producer-service SIGKILLed and restarted under one writer's HTTP writes and another's outbox rows (the
 * others write to Kafka), the broker restarted, PostgreSQL (both replicas' store) stopped for 1–6 s and started again, and the
 * network link of the second processor and the crashing replica (a TCP proxy) slowed, reset or cut for seconds. After quiescence the independent oracle ({@link ReferenceMerge}, written from the rules' document,
 * sharing no code with the processor) compares the truth with the state topic and both replicas. A run is
 * reproducible from its seed (the moments of the faults are drawn from it; the machine's timing is not).
 */
public final class FaultCampaign {

    enum Fault { KILL_PROCESSOR, KILL_REPLICA, KILL_PRODUCER, RETRIES, CLOCK_JUMP, RESTART_BROKER, RESTART_POSTGRES, LINK_LATENCY,
        LINK_RESET, LINK_BLACK_HOLE }

    private static final int SEND_RATE = 1_500;
    private static final Duration QUIESCE = Duration.ofMinutes(5);
    // The crashed replica's group member holds its partitions until its session times out (45 s by default, with no
    // static membership): the shortest the broker allows, so a run measures recovery rather than that wait.
    private static final Map<String, String> SHORT_SESSION = Map.of("CONCORD_KAFKA_SESSION_TIMEOUT_MS", "6000",
            "CONCORD_KAFKA_HEARTBEAT_INTERVAL_MS", "2000");

    private final BenchEnvironment env;

    public FaultCampaign(BenchEnvironment env) {
        this.env = env;
    }

    /** One run's outcome, as docs/reliability.md tabulates it; {@code error} is set when the run could not finish. */
    record Run(long seed, String policy, int events, int writers, List<String> faults, int accepted, int lost, int stale, int diverged,
               int extra, int duplicated, double convergeSeconds, String error) {

        static Run unfinished(long seed, Throwable error) {
            return new Run(seed, "?", 0, 0, List.of(), 0, 0, 0, 0, 0, 0, Double.NaN, String.valueOf(error));
        }

        boolean ok() {
            return error == null && lost + stale + diverged + extra + duplicated == 0;
        }

        String line() {
            return String.format(Locale.ROOT, "seed %d: %s, %d events (%d accepted), %d writers, faults %s → lost %d, stale %d, diverged %d,"
                            + " extra %d, duplicated %d; converged %.1f s after the load and faults ended",
                    seed, policy, events, accepted, writers, faults, lost, stale, diverged, extra, duplicated, convergeSeconds);
        }
    }

    /** @param firstSeed runs use seeds firstSeed, firstSeed + 1, ... */
    public void run(Results results, int runs, long firstSeed, boolean small) throws Exception {
        List<Run> done = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long seed = firstSeed + i;
            try {
                Run run = runOnce(seed, small);
                done.add(run);
                System.out.println("  " + run.line());
                results.addCorrectness("fault campaign " + run.line(), run.ok());
            } catch (Exception | AssertionError e) {
                // A run that cannot finish (a service that never recovers, a replica that never catches up) is a finding
                // too: recorded with its seed, and the campaign goes on.
                done.add(Run.unfinished(seed, e));
                System.out.println("  seed " + seed + ": did not finish: " + e);
                results.addCorrectness("fault campaign seed " + seed + ": did not finish: " + e, false);
            }
        }
        long failed = done.stream().filter(run -> !run.ok()).count();
        results.addCorrectness(String.format(Locale.ROOT, "fault campaign: %d runs (seeds %d–%d), %d with lost, stale, diverged, extra"
                + " or duplicated entities", runs, firstSeed, firstSeed + runs - 1, failed), failed == 0);
    }

    Run runOnce(long seed, boolean small) throws Exception {
        // SplittableRandom mixes the seed: java.util.Random's first draws from neighbouring seeds are alike.
        Random random = new Random(new java.util.SplittableRandom(seed).nextLong());
        MergePolicy policy = random.nextBoolean() ? MergePolicy.FIELD_MERGE : MergePolicy.LAST_WRITER_WINS;
        int events = small ? 1_500 + random.nextInt(1_500) : 3_000 + random.nextInt(5_000);
        int writers = 2 + random.nextInt(4);
        LoadSpec spec = new LoadSpec(events, 100 + random.nextInt(events / 4), writers, 0.1 + random.nextDouble() * 0.4,
                policy == MergePolicy.FIELD_MERGE ? 0.3 : 0, 0.05, 200, seed);
        List<Fault> faults = new ArrayList<>(EnumSet.allOf(Fault.class));
        Collections.shuffle(faults, random);
        faults = faults.subList(0, 1 + random.nextInt(3));
        double sendSeconds = (double) events / SEND_RATE;
        Map<Fault, Long> moments = faults.stream().collect(Collectors.toMap(fault -> fault,
                fault -> (long) (random.nextDouble() * sendSeconds * 1_000)));

        EntityType type = env.newType("chaos", policy, 4);
        String appId = "chaos-" + UUID.randomUUID();
        String tag = type.name().replace('-', '_');
        // A service's own database with a transactional outbox, relayed by producer-service (the relay creates the table).
        String outboxDatabase = env.newDatabase("chaos_outbox_" + tag);
        try (ConcordContract contract = env.contract(type);
             ProcessorProcess first = new ProcessorProcess(env, type, "chaos-processor-a-" + seed, appId);
             // The second processor and the crashing replica reach the broker through the TCP proxy: the link faults' victims.
             ProcessorProcess second = new ProcessorProcess(env, type, "chaos-processor-b-" + seed, appId, env.proxiedBootstrapServers());
             ReplicaProcess stable = new ReplicaProcess(env, type, "chaos_b_" + tag);
             ProducerProcess producer = new ProducerProcess(env, type, "chaos-producer-" + seed,
                     Map.of("CONCORD_OUTBOX_JDBC_URL", outboxDatabase))) {
            String replicaDatabase = env.newDatabase("chaos_a_" + tag);
            String replicaGroup = "chaos-" + UUID.randomUUID();
            Map<String, String> proxied = new java.util.HashMap<>(SHORT_SESSION);
            proxied.put("KAFKA_BOOTSTRAP_SERVERS", env.proxiedBootstrapServers());
            ReplicaProcess[] crashing = {new ReplicaProcess(env, type, "chaos_a_" + tag, replicaDatabase, replicaGroup, proxied)};
            try {
                first.awaitHealthy();
                second.awaitHealthy();
                stable.awaitHealthy();
                crashing[0].awaitHealthy();

                List<EntityEvent> generated = new LoadGenerator(contract.payloads()).generate(type, spec, System.currentTimeMillis());
                List<EntityEvent> load = faults.contains(Fault.CLOCK_JUMP) ? jumpOneWritersClock(generated, random, writers) : generated;
                var topic = contract.topics().events(type);
                // One writer is a client of the HTTP API (producer-service gives its writes their clock and writer id),
                // with three or more writers another writes through its database's outbox (the relay publishes them),
                // the others straight to Kafka. All on one schedule.
                int httpIndex = random.nextInt(writers);
                String httpWriter = "writer-" + httpIndex;
                String outboxWriter = writers >= 3 ? "writer-" + ((httpIndex + 1) % writers) : null;
                List<EntityEvent> direct = new ArrayList<>();
                List<EntityEvent> throughApi = new ArrayList<>();
                List<Long> apiSchedule = new ArrayList<>();
                List<EntityEvent> throughOutbox = new ArrayList<>();
                List<Long> outboxSchedule = new ArrayList<>();
                for (int i = 0; i < load.size(); i++) {
                    if (load.get(i).getWriter().equals(httpWriter)) {
                        throughApi.add(load.get(i));
                        apiSchedule.add(i * 1_000L / SEND_RATE);
                    } else if (load.get(i).getWriter().equals(outboxWriter)) {
                        throughOutbox.add(load.get(i));
                        outboxSchedule.add(i * 1_000L / SEND_RATE);
                    } else {
                        direct.add(load.get(i));
                    }
                }
                int directRate = (int) Math.max(1, (long) SEND_RATE * direct.size() / Math.max(1, load.size()));
                CompletableFuture<Ledger> sending = CompletableFuture.supplyAsync(() -> new KafkaLoad(env.kafkaConfig()).send(topic, direct, directRate));
                HttpLoad api = new HttpLoad(producer::base, BenchEnvironment.DEV_KEY, type, contract.payloads());
                CompletableFuture<HttpLoad.Outcome> writing = CompletableFuture.supplyAsync(() -> {
                    try {
                        return api.send(throughApi, apiSchedule);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                OutboxLoad outbox = new OutboxLoad(outboxDatabase, type, contract.payloads());
                CompletableFuture<Integer> appending = CompletableFuture.supplyAsync(() -> {
                    try {
                        return outbox.send(throughOutbox, outboxSchedule);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                List<String> applied = new ArrayList<>();
                long start = System.nanoTime();
                for (Fault fault : faults.stream().sorted((a, b) -> Long.compare(moments.get(a), moments.get(b))).toList()) {
                    sleepUntil(start, moments.get(fault));
                    String at = String.format(Locale.ROOT, " at %.1f s", (System.nanoTime() - start) / 1e9);
                    switch (fault) {
                        case KILL_PROCESSOR -> {
                            ProcessorProcess victim = random.nextBoolean() ? first : second;
                            victim.kill();
                            victim.restart();
                            applied.add("processor SIGKILL + restart" + at);
                        }
                        case KILL_PRODUCER -> {
                            producer.kill();
                            producer.restart();
                            applied.add("producer-service SIGKILL + restart" + at);
                        }
                        case KILL_REPLICA -> {
                            crashing[0].kill();
                            crashing[0] = new ReplicaProcess(env, type, "chaos_a_" + tag + "_restarted", replicaDatabase, replicaGroup,
                                    proxied);
                            applied.add("replica SIGKILL + restart" + at);
                        }
                        case RETRIES -> {
                            List<EntityEvent> again = new ArrayList<>();
                            for (EntityEvent event : direct.subList(0, (int) Math.min(direct.size(), moments.get(fault) * directRate / 1_000))) {
                                if (random.nextDouble() < 0.05) {
                                    again.add(event);
                                }
                            }
                            new KafkaLoad(env.kafkaConfig()).send(topic, again, 0);
                            applied.add(again.size() + " events sent again" + at);
                        }
                        case CLOCK_JUMP -> applied.add("a writer's clock +20 s for a stretch");
                        case RESTART_BROKER -> {
                            env.restartBroker();
                            applied.add("broker restart" + at);
                        }
                        case LINK_LATENCY -> {
                            Duration delay = Duration.ofMillis(50 + random.nextInt(250));
                            Duration length = Duration.ofSeconds(3 + random.nextInt(8));
                            env.proxy().latency(delay);
                            CompletableFuture.delayedExecutor(length.toMillis(), TimeUnit.MILLISECONDS)
                                    .execute(() -> env.proxy().latency(Duration.ZERO));
                            applied.add(String.format(Locale.ROOT, "link +%d ms for %d s", delay.toMillis(), length.toSeconds()) + at);
                        }
                        case LINK_RESET -> {
                            env.proxy().reset();
                            applied.add("link reset" + at);
                        }
                        case LINK_BLACK_HOLE -> {
                            Duration length = Duration.ofSeconds(3 + random.nextInt(13));
                            env.proxy().blackHole(length);
                            applied.add(String.format(Locale.ROOT, "link black hole %d s", length.toSeconds()) + at);
                        }
                        case RESTART_POSTGRES -> {
                            Duration down = Duration.ofMillis(1_000 + random.nextInt(5_000));
                            env.restartPostgres(down);
                            applied.add(String.format(Locale.ROOT, "PostgreSQL down %.1f s", down.toMillis() / 1e3) + at);
                        }
                    }
                }
                sending.get(10, TimeUnit.MINUTES);
                HttpLoad.Outcome viaApi = writing.get(10, TimeUnit.MINUTES);
                applied.add(String.format(Locale.ROOT, "%d writes through the HTTP API (%d tries again, %d refused)",
                        viaApi.accepted(), viaApi.retries(), viaApi.refused()));
                if (viaApi.refused() > 0) {
                    throw new IllegalStateException(viaApi.refused() + " HTTP writes refused: the harness built a request the API does not take");
                }
                int outboxRetries = appending.get(10, TimeUnit.MINUTES);
                if (!throughOutbox.isEmpty()) {
                    applied.add(String.format(Locale.ROOT, "%d writes through the outbox (%d appends tried again)", throughOutbox.size(),
                            outboxRetries));
                }
                Waiting.until("the outbox relay to publish every row", QUIESCE, () -> {
                    try {
                        return OutboxLoad.pendingAndDead(outboxDatabase)[0] == 0;
                    } catch (java.sql.SQLException e) {
                        return false; // PostgreSQL restarting
                    }
                });
                long dead = OutboxLoad.pendingAndDead(outboxDatabase)[1];
                if (dead > 0) {
                    throw new IllegalStateException(dead + " outbox rows dead-lettered by the relay: the harness wrote rows it does not take");
                }
                long quiet = System.nanoTime();

                awaitProcessorCaughtUp(appId, topic.name(), first, second);
                String stateTopic = contract.topics().state(type).name();
                long end = Topics.totalNextRecordOffset(env.kafkaConfig(), stateTopic);
                crashing[0].awaitConsumed(end, QUIESCE);
                stable.awaitConsumed(end, QUIESCE);
                double converge = (System.nanoTime() - quiet) / 1e9;

                // The truth is what the events topic holds: every event, whoever wrote it (Kafka writers, their retries,
                // producer-service with the clocks it gave), in the order the processor met them.
                Ledger ledger = Topics.eventLedger(env.kafkaConfig(), contract, topic.name());
                Oracle oracle = new Oracle(type, contract.payloads());
                Map<String, ReferenceMerge.Expected> truth = oracle.truth(ledger);
                List<OracleReport> reports = List.of(
                        oracle.checkStateTopic(truth, Topics.stateRecords(env.kafkaConfig(), contract, stateTopic)),
                        oracle.checkReplica("replica a (crashed)", truth, crashing[0].table()),
                        oracle.checkReplica("replica b", truth, stable.table()));
                reports.stream().filter(report -> !report.ok()).forEach(report -> System.out.println("    " + report.summary()));
                return new Run(seed, policy.id(), events, writers, applied, ledger.size(),
                        reports.stream().mapToInt(r -> r.lost().size()).sum(), reports.stream().mapToInt(r -> r.stale().size()).sum(),
                        reports.stream().mapToInt(r -> r.diverged().size()).sum(), reports.stream().mapToInt(r -> r.extra().size()).sum(),
                        reports.stream().mapToInt(r -> r.duplicated().size()).sum(), converge, null);
            } finally {
                crashing[0].close();
            }
        }
    }

    /** One writer's clock runs 20 s ahead for the middle third of its events, then back: clocks are not monotonic. */
    private static List<EntityEvent> jumpOneWritersClock(List<EntityEvent> load, Random random, int writers) {
        String writer = "writer-" + random.nextInt(writers);
        List<Integer> own = new ArrayList<>();
        for (int i = 0; i < load.size(); i++) {
            if (load.get(i).getWriter().equals(writer)) {
                own.add(i);
            }
        }
        List<EntityEvent> jumped = new ArrayList<>(load);
        for (int k = own.size() / 3; k < 2 * own.size() / 3; k++) {
            EntityEvent event = EntityEvent.newBuilder(load.get(own.get(k))).build();
            event.setClock(new HybridClock(event.getClock().getPhysicalMillis() + 20_000, event.getClock().getLogical()));
            jumped.set(own.get(k), event);
        }
        return jumped;
    }

    /** Until the processors' group has committed every events partition to its end (under exactly-once: its outputs too). */
    private void awaitProcessorCaughtUp(String appId, String eventsTopic, ProcessorProcess... instances) {
        try (Admin admin = Admin.create(env.kafkaConfig())) {
            Waiting.until("the processors to commit the whole events topic", QUIESCE, () -> {
                for (ProcessorProcess instance : instances) {
                    if (!instance.isAlive()) {
                        throw new IllegalStateException("a processor exited:\n" + instance.logTail());
                    }
                }
                try {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(appId)
                            .partitionsToOffsetAndMetadata().get();
                    List<TopicPartition> partitions = admin.describeTopics(List.of(eventsTopic)).allTopicNames().get().get(eventsTopic)
                            .partitions().stream().map(p -> new TopicPartition(eventsTopic, p.partition())).toList();
                    var ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                            .all().get();
                    return partitions.stream().allMatch(p -> committed.get(p) != null && committed.get(p).offset() >= ends.get(p).offset());
                } catch (Exception notYet) {
                    return false;
                }
            });
        }
    }

    private static void sleepUntil(long startNanos, long atMillis) throws InterruptedException {
        long left = startNanos + atMillis * 1_000_000 - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left); // the fault's moment is the point: nothing to await but time
        }
    }
}
