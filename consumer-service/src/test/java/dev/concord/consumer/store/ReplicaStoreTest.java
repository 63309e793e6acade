package dev.concord.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.consumer.ReplicaDatabase;
import dev.concord.consumer.apply.TestAppliers;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.store.AppliedBatch;
import dev.concord.replica.store.DeadLetter;
import dev.concord.replica.store.RecordOrigin;
import dev.concord.replica.store.StateBatch;
import dev.concord.replica.store.StateChange;
import dev.concord.testsupport.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store's batch semantics on a real PostgreSQL, without Kafka: what a batch of changes leaves behind. */
@ExtendWith(PostgresExtension.class)
class ReplicaStoreTest {

    private static final CustomerStates CUSTOMERS = new CustomerStates(ConcordContract.inMemory(EntityTypes.load(EntityTypes.DEFAULT_DECLARATION)));

    private static final TopicPartition PARTITION = new TopicPartition("concord.state.customer", 0);

    private String jdbcUrl;
    private ReplicaStore store;
    private ReplicaDatabase database;
    private EntityReader reader;

    @BeforeEach
    void freshStore() {
        jdbcUrl = PostgresExtension.createDatabase();
        var dataSource = TestAppliers.migratedDataSource(jdbcUrl);
        store = new ReplicaStore(dataSource);
        reader = new EntityReader(dataSource);
        database = new ReplicaDatabase(jdbcUrl);
    }

    @Test
    void shouldKeepGreatestVersionOfKeyWhateverTheOrderWithinBatch() {
        AppliedBatch applied = store.apply(batch(10, upsert("a", 1, "one"), upsert("a", 3, "three"), upsert("a", 2, "two")));

        assertThat(database.entity("customer", "a")).hasValueSatisfying(row -> {
            assertThat(row.version()).isEqualTo(3);
            assertThat(row.dataJson()).contains("three");
        });
        assertThat(applied.applied()).extracting(StateChange::id).containsExactly("a");
        assertThat(applied.stale()).isEqualTo(2);
        assertThat(database.consumedOffset(PARTITION)).isEqualTo(10);
    }

    @Test
    void shouldKeepFirstOfEqualVersionsAsSuccessiveUpsertsWould() {
        store.apply(batch(2, upsert("b", 4, "first"), upsert("b", 4, "second")));

        assertThat(database.entity("customer", "b").orElseThrow().dataJson()).contains("first");
    }

    @Test
    void shouldApplyRemovalBetweenUpsertsInConsumptionOrder() {
        store.apply(batch(1, upsert("c", 5, "five")));

        AppliedBatch applied = store.apply(batch(4, upsert("c", 6, "six"), new StateChange.Removal("customer", "c"), upsert("c", 1, "reborn")));

        assertThat(database.entity("customer", "c")).hasValueSatisfying(row -> assertThat(row.version()).isEqualTo(1));
        assertThat(applied.applied()).hasSize(3);
    }

    @Test
    void shouldChangeNothingForOlderVersionAndDrawHigherSeqForEveryChangedRow() {
        AppliedBatch first = store.apply(batch(2, upsert("d", 2, "two"), upsert("e", 1, "one")));
        long seqOfD = database.entity("customer", "d").orElseThrow().changeSeq();

        AppliedBatch second = store.apply(batch(4, upsert("d", 1, "older"), upsert("e", 2, "newer")));

        assertThat(second.applied()).extracting(StateChange::id).containsExactly("e");
        assertThat(second.stale()).isEqualTo(1);
        assertThat(database.entity("customer", "d").orElseThrow().changeSeq()).isEqualTo(seqOfD);
        assertThat(second.feedHead()).isGreaterThan(first.feedHead())
                .isEqualTo(database.entity("customer", "e").orElseThrow().changeSeq())
                .isEqualTo(store.feedHead());
        assertThat(reader.changesAfter(first.feedHead(), List.of(), 10)).extracting(StoredEntity::id).containsExactly("e");
        assertThat(reader.changesAfter(0, List.of("order"), 10)).isEmpty();
    }

    @Test
    void shouldReportNoSeqWhenBatchChangedNoRow() {
        store.apply(batch(1, upsert("f", 3, "three")));

        AppliedBatch nothing = store.apply(batch(2, upsert("f", 2, "late")));

        assertThat(nothing.applied()).isEmpty();
        assertThat(nothing.feedHead()).isZero();
        assertThat(database.consumedOffset(PARTITION)).isEqualTo(2);
    }

    @Test
    void shouldApplyBesideAnotherInstancesBatchButShowItsChangeOnlyOnceEverythingBelowIsSettled() throws Exception {
        store.apply(batch(1, upsert("before", 1, "before")));
        try (Connection other = DriverManager.getConnection(jdbcUrl); Statement otherBatch = other.createStatement()) {
            // Another instance mid-batch: it has drawn a change_seq and not committed yet.
            other.setAutoCommit(false);
            otherBatch.execute("SELECT pg_advisory_xact_lock_shared(" + ChangeSequence.LOCK + ")");
            otherBatch.execute("INSERT INTO entity (entity_type, entity_id, version, deleted) VALUES ('customer', 'slow', 1, false)");

            CompletableFuture<AppliedBatch> applying = CompletableFuture.supplyAsync(() -> store.apply(batch(2, upsert("fast", 1, "fast"))));

            // Not serialised behind the other batch: this one commits while the other is still open ...
            await().atMost(Duration.ofSeconds(30)).until(() -> database.entity("customer", "fast").isPresent());
            // ... but its seq, above the other's, is not in the feed yet: a reader would skip "slow" for good.
            assertThat(reader.changesAfter(0, List.of(), 10)).extracting(StoredEntity::id).containsExactly("before");
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingForAdvisoryLock(otherBatch)); // to raise the head
            assertThat(applying).isNotDone();

            other.commit();
            assertThat(applying.get(30, TimeUnit.SECONDS).feedHead()).isEqualTo(database.entity("customer", "fast").orElseThrow().changeSeq());
            assertThat(reader.changesAfter(0, List.of(), 10)).extracting(StoredEntity::id).containsExactly("before", "slow", "fast");
        }
    }

    @Test
    void shouldRaiseAHeadLeftBehindWhenAskedWhereTheFeedStands() throws Exception {
        try (Connection crashed = DriverManager.getConnection(jdbcUrl); Statement sql = crashed.createStatement()) {
            // An instance that committed a batch and died before it raised the head.
            sql.execute("INSERT INTO entity (entity_type, entity_id, version, deleted) VALUES ('customer', 'orphan', 1, false)");
        }
        assertThat(reader.changesAfter(0, List.of(), 10)).isEmpty();

        long head = store.feedHead();

        assertThat(head).isEqualTo(database.entity("customer", "orphan").orElseThrow().changeSeq());
        assertThat(reader.changesAfter(0, List.of(), 10)).extracting(StoredEntity::id).containsExactly("orphan");
    }

    @Test
    void shouldNeverMoveStoredOffsetBack() {
        store.apply(batch(20, upsert("h", 2, "two")));

        store.apply(batch(10, upsert("h", 1, "one"))); // an instance that lost the partition mid-batch

        assertThat(database.consumedOffset(PARTITION)).isEqualTo(20);
    }

    @Test
    void shouldDeadLetterRowTheStoreRefusesAndApplyTheRestOfTheBatch() {
        // A NUL in a string becomes the JSON escape for U+0000, which jsonb refuses: the whole array statement fails with SQLState 22P05.
        StateChange.Upsert bad = upsert("bad", 1, "Ada" + (char) 0 + "Lovelace");
        List<StateChange> changes = List.of(upsert("before", 1, "fine"), bad, upsert("after", 1, "fine too"));
        List<RecordOrigin> origins = List.of(origin(5, "before"), origin(6, "bad"), origin(7, "after"));

        AppliedBatch applied = store.apply(new StateBatch(changes, Map.of(PARTITION, 8L), origins, List.of()));

        assertThat(applied.applied()).extracting(StateChange::id).containsExactly("before", "after");
        assertThat(database.entity("customer", "before")).isPresent();
        assertThat(database.entity("customer", "after")).isPresent();
        assertThat(database.entity("customer", "bad")).isEmpty();
        assertThat(database.consumedOffset(PARTITION)).isEqualTo(8);
        assertThat(applied.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.entityId()).isEqualTo("bad");
            assertThat(letter.reason()).contains("22P05");
        });
        assertThat(new DeadLetterReader(TestAppliers.migratedDataSource(jdbcUrl)).after(0, 10)).singleElement().satisfies(stored -> {
            assertThat(stored.entityId()).isEqualTo("bad");
            assertThat(stored.version()).isEqualTo(1);
            assertThat(stored.offset()).isEqualTo(6);
            assertThat(stored.topic()).isEqualTo(PARTITION.topic());
            assertThat(stored.key()).isEqualTo("bad".getBytes(StandardCharsets.UTF_8));
            assertThat(stored.value()).isEqualTo("value of bad".getBytes(StandardCharsets.UTF_8));
            assertThat(stored.reason()).contains("unsupported Unicode escape sequence");
        });
    }

    @Test
    void shouldWriteDecoderRefusalsToDeadLetterWithTheBatchOffsets() {
        DeadLetter refused = new DeadLetter("customer", "x\u0000y", null, "its value is not a readable EntityState", origin(3, "x"));

        AppliedBatch applied = store.apply(new StateBatch(List.of(upsert("ok", 1, "ok")), Map.of(PARTITION, 4L),
                List.of(origin(2, "ok")), List.of(refused)));

        assertThat(applied.applied()).hasSize(1);
        assertThat(applied.deadLetters()).containsExactly(refused);
        assertThat(database.consumedOffset(PARTITION)).isEqualTo(4);
        assertThat(new DeadLetterReader(TestAppliers.migratedDataSource(jdbcUrl)).after(0, 10)).singleElement()
                .satisfies(stored -> assertThat(stored.entityId()).isEqualTo("x\\u0000y"));
    }

    @Test
    void shouldTreatOnlyDataExceptionsAsRowErrorsNotOutages() {
        assertThat(ReplicaStore.isRowDataError(new SQLException("bad escape", "22P05"))).isTrue();
        assertThat(ReplicaStore.isRowDataError(new SQLException("value too long", "22001"))).isTrue();
        assertThat(ReplicaStore.isRowDataError(new SQLException("connection lost", "08006"))).isFalse();
        assertThat(ReplicaStore.isRowDataError(new SQLException("admin shutdown", "57P01"))).isFalse();
        assertThat(ReplicaStore.isRowDataError(new SQLException("no state"))).isFalse();
    }

    private static RecordOrigin origin(long offset, String id) {
        return new RecordOrigin(PARTITION.topic(), PARTITION.partition(), offset, id.getBytes(StandardCharsets.UTF_8),
                ("value of " + id).getBytes(StandardCharsets.UTF_8));
    }

    private static boolean waitingForAdvisoryLock(Statement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
            row.next();
            return row.getInt(1) > 0;
        }
    }

    private static StateBatch batch(long nextOffset, StateChange... changes) {
        return new StateBatch(List.of(changes), Map.of(PARTITION, nextOffset));
    }

    private static StateChange.Upsert upsert(String id, long version, String name) {
        return new StateChange.Upsert("customer", id, version, new HlcTimestamp(1_000 + version, 0), "sales", false,
                CUSTOMERS.record(name), Instant.parse("2026-01-02T03:04:05.678Z"));
    }
}
