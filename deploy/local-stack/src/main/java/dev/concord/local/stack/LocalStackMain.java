package dev.concord.local.stack;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./concord up}: starts the local stack, prints where everything is and a request to try,
 * and runs until Ctrl-C, which stops every process cleanly.
 *
 * <p>Options: {@code --run-dir <dir>} (default {@code run/<timestamp>}), {@code --producer-port},
 * {@code --processor-port}, {@code --consumer-port} (defaults 8081, 8082, 8083; 0 = any free port),
 * {@code --sources} (also the sample sources: a table under change data capture and one feeding the outbox, which
 * {@code ./concord sql} writes to), {@code --regions <n>} (2 or 3 regions, each a whole stack on its own broker, ports
 * 100 apart, MirrorMaker 2 between them: docs/multi-region.md).
 */
public final class LocalStackMain {

    private LocalStackMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path root = Path.of(System.getProperty("concord.home", ".")).toAbsolutePath().normalize();
        Path runDir = root.resolve("run").resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        int producerPort = 8081;
        int processorPort = 8082;
        int consumerPort = 8083;
        boolean sources = false;
        int regions = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "up" -> { }
                case "--run-dir" -> runDir = Path.of(args[++i]).toAbsolutePath();
                case "--producer-port" -> producerPort = Integer.parseInt(args[++i]);
                case "--processor-port" -> processorPort = Integer.parseInt(args[++i]);
                case "--consumer-port" -> consumerPort = Integer.parseInt(args[++i]);
                case "--sources" -> sources = true;
                case "--regions" -> regions = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown option " + args[i]
                            + "; usage: up [--run-dir <dir>] [--producer-port <n>] [--processor-port <n>] [--consumer-port <n>] [--sources]"
                            + " [--regions <2|3>]");
                    System.exit(2);
                }
            }
        }
        String javaOptions = System.getenv().getOrDefault("CONCORD_JAVA_OPTS", LocalStackConfig.DEFAULT_JAVA_OPTIONS);
        LocalStackConfig config = new LocalStackConfig(root, runDir, producerPort, processorPort, consumerPort, javaOptions,
                java.util.Map.of(), null);
        if (sources) {
            config = config.withSources(root.resolve("run").resolve("sources.properties"));
        }
        if (regions > 1) {
            runRegions(config, regions);
            return;
        }

        System.out.println("Starting Kafka (KRaft), sync-processor, producer-service and consumer-service (embedded PostgreSQL)"
                + (sources ? ", with the sample sources" : "") + "...");
        System.out.println("Logs: " + runDir.resolve("logs"));
        long started = System.nanoTime();
        LocalStack stack;
        try {
            stack = LocalStack.start(config);
        } catch (RuntimeException e) {
            System.err.println("Concord did not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Running running = Running.untilCtrlC(stack);
        printBanner(stack, (System.nanoTime() - started) / 1_000_000_000.0);
        if (!stack.sourceUrls().isEmpty()) {
            printSources(stack);
        }
        System.out.println("Press Ctrl-C to stop.");
        running.watch(stack::deadProcess);
    }

    /** {@code --regions n}: one whole stack per region and MirrorMaker 2 between them, until Ctrl-C. */
    private static void runRegions(LocalStackConfig config, int count) throws InterruptedException {
        System.out.println("Starting " + count + " regions, each its own Kafka, sync-processor, producer-service and consumer-service,"
                + " and MirrorMaker 2 between them...");
        System.out.println("Logs: " + config.runDirectory());
        long started = System.nanoTime();
        LocalRegions regions;
        try {
            regions = LocalRegions.start(config, count);
        } catch (RuntimeException e) {
            System.err.println("Concord did not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Running running = Running.untilCtrlC(regions);
        System.out.printf("%nConcord is up in %d regions (%.1f s); the events of each are mirrored to the others (docs/multi-region.md).%n",
                count, (System.nanoTime() - started) / 1_000_000_000.0);
        regions.stacks().forEach((region, stack) -> System.out.printf(
                "  region %s: Kafka %s, producer-service %s, sync-processor %s, consumer-service %s, development key %s%n",
                region, stack.bootstrapServers(), stack.producerUrl(), stack.processorUrl(), stack.consumerUrl(), stack.devApiKey()));
        List<String> names = List.copyOf(regions.stacks().keySet());
        LocalStack first = regions.region(names.get(0));
        LocalStack second = regions.region(names.get(1));
        System.out.printf("%nTry it: write in %s, read in %s (types declared in %s; order takes writes in %s only)%n"
                        + "  curl -i -X PUT %s/v1/entities/customer/c-42 -H 'X-Api-Key: %s' -H 'Content-Type: application/json' \\%n"
                        + "       -d '{\"name\": \"Ada Lovelace\", \"email\": \"ada@example.com\"}'%n"
                        + "  curl -s %s/v1/entities/customer/c-42 -H 'X-Api-Key: %s'%nPress Ctrl-C to stop.%n",
                names.get(0), names.get(1), regions.declaration(), names.get(0), first.producerUrl(), first.devApiKey(),
                second.consumerUrl(), second.devApiKey());
        running.watch(regions::deadProcess);
    }

    /** What runs until Ctrl-C: closed by the shutdown hook, watched for a process that dies on its own meanwhile. */
    private static final class Running {
        private final CountDownLatch stopped = new CountDownLatch(1);
        // Set first on Ctrl-C: the services then exit because they are told to, which is no failure to report.
        private final AtomicBoolean stopping = new AtomicBoolean();

        static Running untilCtrlC(AutoCloseable concord) {
            Running running = new Running();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running.stopping.set(true);
                System.out.println("\nStopping Concord...");
                try {
                    concord.close();
                } catch (Exception e) {
                    System.err.println("Stopping failed: " + e.getMessage());
                }
                System.out.println("Stopped.");
                running.stopped.countDown();
            }, "concord-stop"));
            return running;
        }

        /** Returns once stopped; exits with 1 if a process dies while nobody asked it to. */
        void watch(java.util.function.Supplier<java.util.Optional<String>> deadProcess) throws InterruptedException {
            while (!stopped.await(2, TimeUnit.SECONDS)) {
                var dead = deadProcess.get();
                if (dead.isPresent() && !stopping.get()) {
                    System.err.println("Concord stopped working: " + dead.get());
                    System.exit(1);
                }
            }
        }
    }

    private static void printSources(LocalStack stack) {
        String consumer = stack.consumerUrl().toString();
        System.out.printf("""
                Sample sources (--sources), a PostgreSQL of their own:
                  legacy  %s
                          table customers (id, name, email, phone), under change data capture
                  app     %s
                          table accounts (same columns); its trigger writes each change to the outbox, in the same transaction
                Write there without a psql (each row becomes customer <id>):
                  ./concord sql legacy "INSERT INTO customers VALUES ('c-100', 'Grace Hopper', 'grace@example.com', NULL)"
                  ./concord sql legacy "UPDATE customers SET phone = '+1 555 0100' WHERE id = 'c-100'"
                  ./concord sql app "INSERT INTO accounts VALUES ('c-200', 'Ada Lovelace', 'ada@example.com', NULL)"
                  ./concord sql app "BEGIN; INSERT INTO accounts VALUES ('c-201', 'Never', 'never@example.com', NULL); ROLLBACK"
                  curl -s %s/v1/entities/customer/c-100 -H 'X-Api-Key: %s'   (c-200 likewise; c-201 stays 404: rolled back)

                """, stack.sourceUrls().get("legacy"), stack.sourceUrls().get("app"), consumer, stack.devApiKey());
    }

    private static void printBanner(LocalStack stack, double seconds) {
        String producer = stack.producerUrl().toString();
        String consumer = stack.consumerUrl().toString();
        System.out.printf("""

                Concord is up (%.1f s).
                  Kafka bootstrap   %s
                  producer-service  %s   (publish: PUT /v1/entities/{type}/{id})
                  sync-processor    %s   (health: /health)
                  consumer-service  %s   (read: GET /v1/entities/{type}/{id})
                  run directory     %s
                  development key   %s   (send it as X-Api-Key to any service; every grant, local use only)

                Try it:
                  curl -i -X PUT %s/v1/entities/customer/c-42 -H 'X-Api-Key: %s' -H 'Content-Type: application/json' \\
                       -d '{"name": "Ada Lovelace", "email": "ada@example.com", "tier": "GOLD"}'
                  curl -s %s/v1/entities/customer/c-42 -H 'X-Api-Key: %s'
                  open %s/live?type=customer#key=%s in a browser for the live page

                """, seconds, stack.bootstrapServers(), producer, stack.processorUrl(), consumer,
                stack.runDirectory(), stack.devApiKey(), producer, stack.devApiKey(), consumer, stack.devApiKey(), consumer,
                stack.devApiKey());
    }
}
