package dev.concord.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.bench.report.Measurement;
import dev.concord.bench.report.Results;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store line measures both of the processor's stores, RocksDB against the heap, and says what it ran. */
class StoreCostTest {

    @Test
    void shouldMeasureRocksDbAgainstTheHeapStore(@TempDir Path workDir) throws Exception {
        Results results = new Results("test", "quick");

        new StoreCost(workDir).run(results, 200, 2_000);

        Measurement store = results.measurement("state store alone, RocksDB (get + put per event)").orElseThrow();
        assertThat(store.value()).isPositive();
        assertThat(store.baseline()).isEqualTo("state store alone, heap");
        assertThat(store.baselineValue()).isPositive();
        assertThat(store.note()).contains("2,000 events over 200 entities");
    }
}
