package dev.concord.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.consumer.ReplicaDatabase;
import dev.concord.consumer.apply.TestAppliers;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.contract.types.PoisonPolicy;
import dev.concord.domain.Customer;
import dev.concord.replica.store.AppliedBatch;
import dev.concord.replica.store.DeadLetter;
import dev.concord.replica.store.RecordOrigin;
import dev.concord.replica.store.StateBatch;
import dev.concord.replica.store.StateChange;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.testsupport.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Parking at the replica, on a real PostgreSQL: for a type declared {@code "poison": "park"}, a state the replica
 * dead-letters holds back the entity's later states until an operator releases it; other entities, and types that skip,
 * go on as before.
 */
@ExtendWith(PostgresExtension.class)
class ReplicaParkingTest {

    private static final CustomerStates CUSTOMERS = new CustomerStates(ConcordContract.inMemory(EntityTypes.load(EntityTypes.DEFAULT_DECLARATION)));
    private static final TopicPartition PARTITION = new TopicPartition("concord.state.customer", 0);
    private static final EntityTypes PARKING = EntityTypes.of(List.of(
            new EntityType("customer", Customer.getClassSchema(), MergePolicy.FIELD_MERGE, 1, PoisonPolicy.PARK)));

    private ReplicaStore store;
    private ReplicaDatabase database;

    @BeforeEach
    void freshStore() {
        String jdbcUrl = PostgresExtension.createDatabase();
        store = new ReplicaStore(TestAppliers.migratedDataSource(jdbcUrl), PARKING);
        database = new ReplicaDatabase(jdbcUrl);
    }

    @Test
    void shouldHoldTheStatesAfterADeadLetteredOneUntilReleasedAndApplyTheNewest() {
        DeadLetter refused = new DeadLetter("customer", "a", null, "a payload schema missing from the catalog", origin(3, "a"));
        store.apply(new StateBatch(List.of(upsert("a", 1, "first"), upsert("b", 1, "other"), upsert("a", 3, "third")),
                Map.of(PARTITION, 6L), List.of(origin(1, "a"), origin(4, "b"), origin(5, "a")), List.of(refused)));

        assertThat(database.entity("customer", "a").orElseThrow().version()).as("applied before the refused one").isEqualTo(1);
        assertThat(database.entity("customer", "b").orElseThrow().version()).isEqualTo(1);
        assertThat(store.parked("customer", 10)).singleElement().satisfies(parked -> {
            assertThat(parked.id()).isEqualTo("a");
            assertThat(parked.offset()).isEqualTo(3);
            assertThat(parked.heldVersion()).isEqualTo(3);
            assertThat(parked.reason()).contains("missing from the catalog");
        });

        store.apply(new StateBatch(List.of(upsert("a", 5, "fifth"), upsert("a", 4, "fourth")), Map.of(PARTITION, 8L),
                List.of(origin(6, "a"), origin(7, "a")), List.of()));
        assertThat(database.entity("customer", "a").orElseThrow().version()).as("held, not applied").isEqualTo(1);
        assertThat(store.parked("customer", 10).get(0).heldVersion()).isEqualTo(5);
        assertThat(store.parked("customer", 10).get(0).heldStates()).isEqualTo(3);
        assertThat(store.parkedCounts()).containsEntry("customer", 1L);
        long headBefore = store.feedHead();

        ReplicaStore.Released released = store.release("customer", "a");

        assertThat(released.wasParked()).isTrue();
        assertThat(released.appliedVersion()).isEqualTo(5);
        assertThat(database.entity("customer", "a").orElseThrow().dataJson()).contains("fifth");
        assertThat(store.feedHead()).isGreaterThan(headBefore);
        assertThat(store.parked("customer", 10)).isEmpty();
        assertThat(store.release("customer", "a").wasParked()).isFalse();

        store.apply(new StateBatch(List.of(upsert("a", 6, "sixth")), Map.of(PARTITION, 9L), List.of(origin(8, "a")), List.of()));
        assertThat(database.entity("customer", "a").orElseThrow().version()).as("no longer parked").isEqualTo(6);
    }

    @Test
    void shouldParkAnEntityWhoseRowTheStoreRefusesAndHoldItsLaterStates() {
        // Within one batch only each entity's newest state is written (a newer one supersedes a bad one): here the bad
        // state is c's newest of its batch, so PostgreSQL refuses it (U+0000 in jsonb) and the batch goes row by row.
        StateChange.Upsert bad = upsert("c", 2, "Ada" + (char) 0 + "Lovelace");
        AppliedBatch applied = store.apply(new StateBatch(List.of(bad, upsert("d", 1, "fine")),
                Map.of(PARTITION, 12L), List.of(origin(10, "c"), origin(11, "d")), List.of()));
        store.apply(new StateBatch(List.of(upsert("c", 3, "three")), Map.of(PARTITION, 13L), List.of(origin(12, "c")), List.of()));

        assertThat(applied.deadLetters()).singleElement().satisfies(letter -> assertThat(letter.entityId()).isEqualTo("c"));
        assertThat(database.entity("customer", "c")).as("held, not applied").isEmpty();
        assertThat(database.entity("customer", "d")).isPresent();
        assertThat(store.parked("customer", 10)).singleElement().satisfies(parked -> {
            assertThat(parked.id()).isEqualTo("c");
            assertThat(parked.heldVersion()).isEqualTo(3);
            assertThat(parked.reason()).contains("22P05");
        });

        store.release("customer", "c");
        assertThat(database.entity("customer", "c").orElseThrow().dataJson()).contains("three");
    }

    @Test
    void shouldApplyPastADeadLetteredStateForATypeThatSkips() {
        String jdbcUrl = PostgresExtension.createDatabase();
        ReplicaStore skipping = new ReplicaStore(TestAppliers.migratedDataSource(jdbcUrl));
        DeadLetter refused = new DeadLetter("customer", "a", null, "unreadable", origin(1, "a"));
        skipping.apply(new StateBatch(List.of(upsert("a", 2, "second")), Map.of(PARTITION, 3L), List.of(origin(2, "a")), List.of(refused)));

        assertThat(new ReplicaDatabase(jdbcUrl).entity("customer", "a").orElseThrow().version()).isEqualTo(2);
        assertThat(skipping.parked("customer", 10)).isEmpty();
        assertThat(skipping.parkedCounts()).isEmpty();
    }

    private static RecordOrigin origin(long offset, String id) {
        return new RecordOrigin(PARTITION.topic(), PARTITION.partition(), offset, id.getBytes(StandardCharsets.UTF_8),
                ("value of " + id).getBytes(StandardCharsets.UTF_8));
    }

    private static StateChange.Upsert upsert(String id, long version, String name) {
        return new StateChange.Upsert("customer", id, version, new HlcTimestamp(1_000 + version, 0), "sales", false,
                CUSTOMERS.record(name), Instant.parse("2026-01-02T03:04:05.678Z"));
    }
}
