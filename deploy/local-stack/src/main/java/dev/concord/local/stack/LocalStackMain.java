package dev.concord.local.stack;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./concord up}: starts the local stack, prints where everything is and a request to try,
 * and runs until Ctrl-C, which stops every process cleanly.
 *
 * <p>Options: {@code --run-dir <dir>} (default {@code run/<timestamp>}), {@code --producer-port},
 * {@code --processor-port}, {@code --consumer-port} (defaults 8081, 8082, 8083; 0 = any free port).
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
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "up" -> { }
                case "--run-dir" -> runDir = Path.of(args[++i]).toAbsolutePath();
                case "--producer-port" -> producerPort = Integer.parseInt(args[++i]);
                case "--processor-port" -> processorPort = Integer.parseInt(args[++i]);
                case "--consumer-port" -> consumerPort = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown option " + args[i]
                            + "; usage: up [--run-dir <dir>] [--producer-port <n>] [--processor-port <n>] [--consumer-port <n>]");
                    System.exit(2);
                }
            }
        }
        String javaOptions = System.getenv().getOrDefault("CONCORD_JAVA_OPTS", LocalStackConfig.DEFAULT_JAVA_OPTIONS);
        LocalStackConfig config = new LocalStackConfig(root, runDir, producerPort, processorPort, consumerPort, javaOptions,
                java.util.Map.of());

        System.out.println("Starting Kafka (KRaft), sync-processor, producer-service and consumer-service (embedded PostgreSQL)...");
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
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping Concord...");
            stack.close();
            System.out.println("Stopped.");
            stopped.countDown();
        }, "concord-stop"));
        printBanner(stack, (System.nanoTime() - started) / 1_000_000_000.0);

        while (!stopped.await(2, TimeUnit.SECONDS)) {
            var dead = stack.deadProcess();
            if (dead.isPresent()) {
                System.err.println("Concord stopped working: " + dead.get());
                System.exit(1);
            }
        }
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

                Press Ctrl-C to stop.
                """, seconds, stack.bootstrapServers(), producer, stack.processorUrl(), consumer,
                stack.runDirectory(), stack.devApiKey(), producer, stack.devApiKey(), consumer, stack.devApiKey(), consumer,
                stack.devApiKey());
    }
}
