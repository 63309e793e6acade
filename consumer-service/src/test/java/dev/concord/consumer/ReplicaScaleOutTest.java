package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Instances of one replica (one group, one store) share the partitions of all its types together: with
 * two types of one partition each, two instances get one partition each, where assigning each topic on
 * its own would give both to the same instance and leave the other idle.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReplicaScaleOutTest {

    @Test
    void shouldSpreadThePartitionsOfAllTypesOverTheInstances() throws Exception {
        TestTypes types = TestTypes.declare(1, "spread-a", "spread-b");
        String store = PostgresExtension.createDatabase();
        String group = KafkaTestClients.uniqueId("spread");
        try (RunningReplica first = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), store, group, types, Map.of());
             RunningReplica second = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), store, group, types, Map.of());
             Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                assertThat(description.members()).hasSize(2);
                assertThat(description.members()).extracting(MemberDescription::assignment)
                        .allSatisfy(assignment -> assertThat(assignment.topicPartitions()).hasSize(1));
            });
        }
    }
}
