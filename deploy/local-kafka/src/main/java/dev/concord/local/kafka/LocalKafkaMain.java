package dev.concord.local.kafka;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link EmbeddedKafkaBroker} as its own process, for the local stack.
 *
 * <p>Usage: {@code LocalKafkaMain [--data-dir <dir>] [--port <n>]}. Without {@code --data-dir} the data lives in a
 * temporary directory deleted at exit; port {@code 0} or absent picks a free one. When the broker is ready this prints
 * exactly one line to stdout, {@code KAFKA_BOOTSTRAP_SERVERS=localhost:<port>}, which the launching process parses;
 * logs go to stderr. SIGTERM / SIGINT shut the broker down cleanly.
 */
public final class LocalKafkaMain {

    /** Our logback config has its own name so it never shadows an application's logback.xml on a shared classpath. */
    static final String LOGBACK_CONFIG = "concord-local-kafka-logback.xml";

    private LocalKafkaMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
        }
        Path dataDir = null;
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, "--data-dir"));
                case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
                default -> {
                    System.err.println("Unknown argument: " + args[i]
                            + "\nUsage: LocalKafkaMain [--data-dir <dir>] [--port <n>]");
                    System.exit(2);
                }
            }
        }

        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } finally {
                stopped.countDown();
            }
        }, "local-kafka-shutdown"));

        System.out.println("KAFKA_BOOTSTRAP_SERVERS=" + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
