package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.bench.load.LoadGenerator;
import dev.concord.bench.load.LoadSpec;
import dev.concord.bench.oracle.Oracle;
import dev.concord.bench.oracle.OracleReport;
import dev.concord.bench.oracle.ReferenceMerge;
import dev.concord.bench.report.Results;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.local.stack.LocalRegions;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The randomized two-region campaign (issue 16; docs/multi-region.md): two whole regions ({@link LocalRegions}: a broker,
 * sync-processor, producer-service and consumer-service each, MirrorMaker 2 between them). Each run draws from its seed
 * a load per region — several writers per region racing on the same entities, patches of different fields, deletes —
 * and one or two faults while both regions write: the link cut (MirrorMaker stopped) for 2–8 s, and a region's
 * processor SIGKILLed and restarted. After quiescence, both regions' state topics are compared with the truth the
 * independent reference rules ({@link ReferenceMerge}) compute from every region's events: the same data, clock,
 * writer and deletion for every entity (versions are each region's own). Runs share the regions; each writes its own
 * entities, and every run checks every entity written so far.
 */
public final class RegionsCampaign {

    enum Fault { LINK_DOWN, KILL_PROCESSOR }

    private static final int SEND_RATE = 1_000;
    private static final Duration QUIESCE = Duration.ofMinutes(3);

    private final BenchEnvironment env;

    public RegionsCampaign(BenchEnvironment env) {
        this.env = env;
    }

    public void run(Results results, int runs, long firstSeed, boolean small) throws Exception {
        try (LocalRegions regions = LocalRegions.startOnFreePorts(env.repositoryRoot(),
                Files.createDirectories(env.workDir().resolve("regions")), 2)) {
            Map<String, ConcordContract> contracts = new LinkedHashMap<>();
            for (String region : regions.stacks().keySet()) {
                contracts.put(region, ConcordContract.connect(Map.of("bootstrap.servers", regions.region(region).bootstrapServers()),
                        EntityTypes.load(regions.declaration().toString())).registerWriterSchemas());
            }
            int failed = 0;
            try {
                for (int i = 0; i < runs; i++) {
                    long seed = firstSeed + i;
                    String line;
                    boolean ok;
                    try {
                        RunOutcome outcome = runOnce(regions, contracts, seed, small);
                        line = outcome.line();
                        ok = outcome.ok();
                    } catch (Exception | AssertionError e) {
                        line = "seed " + seed + ": did not finish: " + e;
                        ok = false;
                    }
                    failed += ok ? 0 : 1;
                    System.out.println("  " + line);
                    results.addCorrectness("two-region campaign " + line, ok);
                }
            } finally {
                for (ConcordContract contract : contracts.values()) {
                    contract.close();
                }
            }
            results.addCorrectness(String.format(Locale.ROOT, "two-region campaign: %d runs (seeds %d–%d), %d not converged on the"
                    + " reference's data, clock, writer and deletion in both regions", runs, firstSeed, firstSeed + runs - 1, failed), failed == 0);
        }
    }

    record RunOutcome(long seed, int events, List<String> faults, List<OracleReport> reports, double convergeSeconds) {
        boolean ok() {
            return reports.stream().allMatch(OracleReport::ok);
        }

        String line() {
            return String.format(Locale.ROOT, "seed %d: field-merge, %d events over both regions, faults %s → %s; converged %.1f s after"
                    + " the load and faults ended", seed, events, faults, reports.stream().map(OracleReport::summary).toList(), convergeSeconds);
        }
    }

    private RunOutcome runOnce(LocalRegions regions, Map<String, ConcordContract> contracts, long seed, boolean small) throws Exception {
        Random random = new Random(new java.util.SplittableRandom(seed).nextLong());
        int perRegion = small ? 600 + random.nextInt(600) : 1_500 + random.nextInt(2_500);
        int entities = 50 + random.nextInt(perRegion / 4);
        double sendSeconds = (double) perRegion / SEND_RATE;
        String prefix = "r" + seed + "-";
        Map<String, List<EntityEvent>> loads = new LinkedHashMap<>();
        long start = System.currentTimeMillis();
        int regionIndex = 0;
        for (String region : regions.stacks().keySet()) {
            ConcordContract contract = contracts.get(region);
            EntityType customer = contract.types().require("customer");
            LoadSpec spec = new LoadSpec(perRegion, entities, 2 + random.nextInt(2), 0.1 + random.nextDouble() * 0.4, 0.3, 0.05, 200,
                    seed * 31 + regionIndex++);
            List<EntityEvent> events = new ArrayList<>();
            for (EntityEvent event : new LoadGenerator(contract.payloads()).generate(customer, spec, start)) {
                // Entities of this run, shared by the regions; writers of this region (a writer's clock is its own).
                events.add(EntityEvent.newBuilder(event).setEntityId(prefix + event.getEntityId())
                        .setWriter(region + "-" + event.getWriter()).build());
            }
            loads.put(region, events);
        }
        List<Fault> faults = new ArrayList<>(List.of(Fault.values()));
        Collections.shuffle(faults, random);
        faults = faults.subList(0, 1 + random.nextInt(faults.size()));
        List<String> described = new ArrayList<>();
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (Fault fault : faults) {
            long at = (long) (random.nextDouble() * sendSeconds * 1_000);
            List<String> names = new ArrayList<>(regions.stacks().keySet());
            String victim = names.get(random.nextInt(names.size()));
            long downMillis = 2_000 + random.nextInt(6_000);
            described.add(fault == Fault.LINK_DOWN ? String.format(Locale.ROOT, "link down %.1f s at %.1f s", downMillis / 1e3, at / 1e3)
                    : String.format(Locale.ROOT, "%s processor SIGKILL + restart at %.1f s", victim, at / 1e3));
            running.add(CompletableFuture.runAsync(() -> {
                sleep(at);
                if (fault == Fault.LINK_DOWN) {
                    regions.stopMirror();
                    sleep(downMillis);
                    regions.startMirror("mirror-" + seed);
                } else {
                    regions.region(victim).crashAndRestartProcessor();
                }
            }));
        }
        for (Map.Entry<String, List<EntityEvent>> load : loads.entrySet()) {
            running.add(CompletableFuture.runAsync(() -> send(regions.region(load.getKey()).bootstrapServers(), contracts.get(load.getKey()),
                    load.getValue())));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        long quiet = System.nanoTime();

        List<OracleReport> reports = awaitAgreement(regions, contracts);
        return new RunOutcome(seed, loads.values().stream().mapToInt(List::size).sum(), described, reports,
                (System.nanoTime() - quiet) / 1e9);
    }

    /** Every region checked against the truth of all regions' events until all agree, or until the quiescence bound. */
    private List<OracleReport> awaitAgreement(LocalRegions regions, Map<String, ConcordContract> contracts) {
        long deadline = System.nanoTime() + QUIESCE.toNanos();
        List<OracleReport> reports;
        do {
            reports = check(regions, contracts);
            if (reports.stream().allMatch(OracleReport::ok)) {
                return reports;
            }
            sleep(1_000);
        } while (System.nanoTime() < deadline);
        return reports;
    }

    private List<OracleReport> check(LocalRegions regions, Map<String, ConcordContract> contracts) {
        // The truth: every region's own events (its local topic), folded by the reference rules in any order.
        String anyRegion = regions.stacks().keySet().iterator().next();
        ConcordContract reference = contracts.get(anyRegion);
        EntityType customer = reference.types().require("customer");
        ReferenceMerge merge = new ReferenceMerge(customer, reference.payloads());
        for (String region : regions.stacks().keySet()) {
            Topics.eventLedger(kafka(regions, region), contracts.get(region), "concord.events.customer").inLogOrder()
                    .forEach(accepted -> merge.apply(accepted.event()));
        }
        Map<String, ReferenceMerge.Expected> truth = merge.expected();
        List<OracleReport> reports = new ArrayList<>();
        for (String region : regions.stacks().keySet()) {
            Oracle oracle = new Oracle(customer, contracts.get(region).payloads());
            reports.add(oracle.checkRegion(region, truth, Topics.stateRecords(kafka(regions, region), contracts.get(region),
                    "concord.state.customer")));
        }
        return reports;
    }

    private static Map<String, Object> kafka(LocalRegions regions, String region) {
        return Map.of("bootstrap.servers", regions.region(region).bootstrapServers());
    }

    private static void send(String bootstrap, ConcordContract contract, List<EntityEvent> events) {
        var topic = contract.topics().events(contract.types().require("customer"));
        try (KafkaProducer<String, EntityEvent> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(),
                topic.valueSerde().serializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < events.size(); i++) {
                producer.send(new ProducerRecord<>(topic.name(), events.get(i).getEntityId(), events.get(i)));
                long due = start + i * 1_000_000_000L / SEND_RATE;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    sleep(wait / 1_000_000);
                }
            }
            producer.flush();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
