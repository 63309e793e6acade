package dev.concord.processor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The start-up finds, on a real broker, the state changelog topics an earlier release left, and only those. */
@ExtendWith(KafkaBrokerExtension.class)
class OldStateChangelogsTest {

    @Test
    void shouldNameTheStateChangelogsAnEarlierReleaseLeft() throws Exception {
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        String applicationId = KafkaTestClients.uniqueId("old-release");
        EntityType left = type("left");
        EntityType clean = type("clean");
        // Given the state changelog an earlier release wrote for one type, and a changelog of a store that still has one
        KafkaTestClients.createTopics(bootstrap, 1, applicationId + "-state." + left.name() + "-changelog",
                applicationId + "-tombstone-expiry." + left.name() + "-changelog");

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            // Then only the old state changelog is named
            assertThat(OldStateChangelogs.find(admin, applicationId, EntityTypes.of(List.of(left, clean))))
                    .containsExactly(applicationId + "-state." + left.name() + "-changelog");
        }
    }

    private static EntityType type(String name) {
        return new EntityType(KafkaTestClients.uniqueId(name).toLowerCase(), Customer.getClassSchema(), MergePolicy.LAST_WRITER_WINS, 1);
    }
}
