package dev.concord.testsupport;

import dev.concord.local.kafka.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real Kafka broker per test JVM: starting one costs seconds, so every test class shares it and isolates itself
 * with unique topic names and application ids ({@link KafkaTestClients#uniqueId(String)}).
 *
 * <p>Use {@code @ExtendWith(KafkaBrokerExtension.class)} and either call {@link #bootstrapServers()} or declare an
 * {@link EmbeddedKafkaBroker} test/lifecycle parameter. {@link #bootstrapServers()} also works without the extension
 * (e.g. from a Micronaut {@code TestPropertyProvider}); the broker starts on first use either way. It stops when the
 * JUnit run ends (root store) or, as a fallback, at JVM exit.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    private static EmbeddedKafkaBroker broker;

    /** The shared broker, started on first call. */
    public static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            EmbeddedKafkaBroker started = EmbeddedKafkaBroker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "kafka-broker-extension-shutdown"));
            broker = started;
        }
        return broker;
    }

    /** {@code localhost:<port>} of the shared broker, started on first call. */
    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // The root store closes its AutoCloseable values once, after all tests of this JVM's run.
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Stopper.class, k -> new Stopper(broker()), Stopper.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        beforeAll(extensionContext);
        return broker();
    }

    private record Stopper(EmbeddedKafkaBroker broker) implements AutoCloseable {
        @Override
        public void close() {
            synchronized (KafkaBrokerExtension.class) {
                broker.close();
                if (KafkaBrokerExtension.broker == broker) {
                    KafkaBrokerExtension.broker = null;
                }
            }
        }
    }
}
