package dev.concord.producer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The committed end offsets of the events topics at one moment: a refused write sends nothing, so "nothing
 * reached the events topics" is exactly "their end offsets did not move" (the broker is shared by the test
 * classes of this JVM, which run one after another).
 */
record EventTopicsEnd(Map<TopicPartition, Long> offsets) {

    static final List<String> EVENT_TOPICS = List.of("concord.events.customer", "concord.events.order");

    static EventTopicsEnd now(Admin admin) {
        try {
            Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(EVENT_TOPICS).allTopicNames().get().values().stream()
                    .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            return new EventTopicsEnd(admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                    .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
