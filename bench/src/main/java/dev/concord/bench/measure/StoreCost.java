package dev.concord.bench.measure;

import dev.concord.bench.report.Measurement;
import dev.concord.bench.report.Results;
import dev.concord.processor.metrics.SyncMetrics;
import dev.concord.processor.runtime.StreamsSettings;
import dev.concord.processor.topology.StateStoreKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The processor's state store alone, outside Kafka: what one event costs it (a read of the entity's state, then a write
 * of the new one), built as the topology builds it (no record cache, no changelog) with the service's RocksDB settings,
 * over the key space and state size of the processor benchmark. No broker, no other thread: the line that separates
 * the store's share of the processor's cost from Kafka Streams' and Concord's own, steadier from run to run than the
 * end-to-end contenders, so store settings can be compared with it.
 */
public final class StoreCost {

    /** About the size of a field-merge state of the processor benchmark (payload ~200 B, stamps, 8 recent event ids). */
    static final int STATE_BYTES = 500;

    private final Path workDir;

    /** @param workDir where the stores' files go (removed with the benchmark's work directory) */
    public StoreCost(Path workDir) {
        this.workDir = workDir;
    }

    public void run(Results results, int entities, int events) throws IOException {
        double rocksDb = bestOfTwo(StateStoreKind.ROCKSDB, entities, events);
        double heap = bestOfTwo(StateStoreKind.IN_MEMORY, entities, events);
        String shape = String.format(Locale.ROOT, "%,d events over %,d entities (uniform), states of %d B, one thread;"
                + " µs per event: RocksDB %.2f, heap %.2f", events, entities, STATE_BYTES, 1e6 / rocksDb, 1e6 / heap);
        results.add(new Measurement("state store alone, RocksDB (get + put per event)", "events/s", rocksDb,
                "state store alone, heap", heap, true, shape));
    }

    /** The better of two passes over a fresh store each: the first also warms the JIT up. */
    private double bestOfTwo(StateStoreKind kind, int entities, int events) throws IOException {
        return Math.max(pass(kind, entities, events), pass(kind, entities, events));
    }

    private double pass(StateStoreKind kind, int entities, int events) throws IOException {
        Path stateDir = Files.createTempDirectory(workDir, "store-cost-");
        // The service's settings (its RocksDB memory budget and options); no client is made, so no broker is named.
        Properties config = StreamsSettings.of(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092"),
                Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "store-cost", StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()),
                SyncMetrics.NONE);
        MockProcessorContext<String, Object> context = new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile());
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(kind.supplier("state"), Serdes.String(), Serdes.ByteArray())
                .withCachingDisabled().withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        try {
            SplittableRandom random = new SplittableRandom(17);
            byte[] state = new byte[STATE_BYTES];
            long found = 0;
            long started = System.nanoTime();
            for (int i = 0; i < events; i++) {
                String entity = "e-" + random.nextInt(entities);
                found += store.get(entity) == null ? 0 : 1;
                byte[] next = state.clone();
                next[i % STATE_BYTES] = (byte) i; // a new array each time, as the processor encodes each new state
                store.put(entity, next);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            if (found == 0 && events > entities) {
                throw new IllegalStateException("the store returned nothing it was given: the measurement read nothing");
            }
            return events / seconds;
        } finally {
            store.close();
        }
    }
}
