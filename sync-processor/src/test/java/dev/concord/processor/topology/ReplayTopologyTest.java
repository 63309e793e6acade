package dev.concord.processor.topology;

import static dev.concord.processor.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.avro.EntityState;
import dev.concord.contract.events.ReplayRequest;
import dev.concord.contract.types.MergePolicy;
import dev.concord.processor.metrics.SyncMetrics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Replay requests on the events topic: the current state published again, unchanged, and nothing else. */
class ReplayTopologyTest {

    private final Map<String, Integer> counted = new HashMap<>();
    private final TopologyFixture f = new TopologyFixture(MergePolicy.LAST_WRITER_WINS, SyncSettings.defaults(), new SyncMetrics() {
        @Override
        public void replayed(String entityType, int entities) {
            counted.merge("replayed", entities, Integer::sum);
        }

        @Override
        public void replayIgnored(String entityType, String reason) {
            counted.merge(reason, 1, Integer::sum);
        }
    });

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldPublishTheEntitysCurrentStateAgainWithTheSameVersionAndChangeNothing() {
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "writer-a", "Ada"), T0);
        f.events.pipeInput("c-1", f.upsert("c-1", 2_000, "writer-b", "Ada Lovelace"), T0);
        f.events.pipeInput("c-2", f.upsert("c-2", 1_000, "writer-a", "Grace"), T0);
        EntityState published = f.states.readValuesToList().get(1);
        EntityState stored = f.store.get("c-1");

        request("c-1", ReplayRequest.Scope.ENTITY, null);

        TestRecord<String, EntityState> replayed = f.states.readRecord();
        assertThat(replayed.key()).isEqualTo("c-1");
        assertThat(replayed.value()).isEqualTo(published);
        assertThat(replayed.value().getVersion()).isEqualTo(2);
        assertThat(replayed.headers().lastHeader(ReplayRequest.HEADER)).as("the request's headers stay on the events topic").isNull();
        assertThat(f.store.get("c-1")).isEqualTo(stored);
        assertThat(f.allOutputsEmpty()).isTrue();
        assertThat(counted).containsExactlyEntriesOf(Map.of("replayed", 1));
    }

    @Test
    void shouldReplayEveryEntityOfThePartitionDeletedOnesIncluded() {
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "writer-a", "Ada"), T0);
        f.events.pipeInput("c-2", f.upsert("c-2", 1_000, "writer-a", "Grace"), T0);
        f.events.pipeInput("c-2", f.delete("c-2", 2_000, "writer-a"), T0);
        List<EntityState> before = f.states.readValuesToList();

        request("any-key", ReplayRequest.Scope.PARTITION, null);

        assertThat(f.states.readKeyValuesToMap()).containsExactlyInAnyOrderEntriesOf(Map.of("c-1", before.get(0), "c-2", before.get(2)));
        assertThat(f.allOutputsEmpty()).isTrue();
        assertThat(counted).containsExactlyEntriesOf(Map.of("replayed", 2));
    }

    @Test
    void shouldReplayALargePartitionInChunksOneTransactionEach() {
        int entities = EntityMergeProcessor.REPLAY_CHUNK + 500;
        for (int i = 0; i < entities; i++) {
            f.events.pipeInput("c-" + i, f.upsert("c-" + i, 1_000, "writer-a", "Customer " + i), T0);
        }
        f.states.readValuesToList();

        request("any-key", ReplayRequest.Scope.PARTITION, null);
        assertThat(f.states.getQueueSize()).isEqualTo(EntityMergeProcessor.REPLAY_CHUNK);
        f.driver.advanceWallClockTime(java.time.Duration.ofMillis(100));
        f.driver.advanceWallClockTime(java.time.Duration.ofMillis(100));

        assertThat(f.states.readKeyValuesToMap()).hasSize(entities);
        assertThat(counted).containsExactlyEntriesOf(Map.of("replayed", entities));
        assertThat(f.allOutputsEmpty()).isTrue();
    }

    @Test
    void shouldReplayNothingForAnUnknownEntityAnUnknownScopeOrAnInvalidKeyAndNeverFoldARequestsValue() {
        f.events.pipeInput("c-1", f.upsert("c-1", 1_000, "writer-a", "Ada"), T0);
        f.states.readValuesToList();
        EntityState stored = f.store.get("c-1");

        request("nobody", ReplayRequest.Scope.ENTITY, null);
        RecordHeaders unknownScope = new RecordHeaders();
        unknownScope.add(ReplayRequest.HEADER, "everything".getBytes(StandardCharsets.UTF_8));
        f.rawEvents.pipeInput(new TestRecord<>("c-1".getBytes(StandardCharsets.UTF_8), null, unknownScope, T0));
        f.rawEvents.pipeInput(new TestRecord<>(new byte[] {(byte) 0xff}, null, headers(ReplayRequest.Scope.ENTITY), T0));
        // A real event carrying the header is a request, not a write: a writer cannot sneak a write in as a replay
        byte[] newer = f.contract.topics().eventSerde().serializer().serialize("", f.upsert("c-1", 9_000, "writer-z", "Mallory"));
        f.rawEvents.pipeInput(new TestRecord<>("c-1".getBytes(StandardCharsets.UTF_8), newer, headers(ReplayRequest.Scope.ENTITY), T0));

        assertThat(f.states.readValuesToList()).extracting(EntityState::getVersion).containsExactly(1L);
        assertThat(f.store.get("c-1")).isEqualTo(stored);
        assertThat(f.allOutputsEmpty()).isTrue();
        assertThat(counted).containsExactlyInAnyOrderEntriesOf(Map.of("no-such-entity", 2, "unknown-scope", 1, "replayed", 1));
    }

    private void request(String key, ReplayRequest.Scope scope, byte[] value) {
        f.rawEvents.pipeInput(new TestRecord<>(key.getBytes(StandardCharsets.UTF_8), value, headers(scope), T0));
    }

    private static RecordHeaders headers(ReplayRequest.Scope scope) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ReplayRequest.header(scope));
        return headers;
    }
}
