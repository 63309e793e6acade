package dev.concord.processor.runtime;

import dev.concord.processor.errors.DeadLetters;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;

/** The topology and the Kafka Streams settings it runs with. */
record StreamsApplication(Topology topology, Properties settings) {

    /** The consumer group, and the prefix of the transactional ids and of the changelog topics. */
    String applicationId() {
        return settings.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
    }

    /** The topics its transactions write: its sinks', and the dead-letter topic its exception handlers write. */
    Set<String> writtenTopics() {
        Set<String> topics = new HashSet<>();
        topics.add(settings.getProperty(DeadLetters.TOPIC_CONFIG));
        for (TopologyDescription.Subtopology subtopology : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
                    topics.add(sink.topic());
                }
            }
        }
        return topics;
    }

    /** The changelog topic each of the topology's stores would have if it logs ({@code <application id>-<store>-changelog}). */
    Set<String> changelogTopicNames() {
        Set<String> topics = new HashSet<>();
        for (TopologyDescription.Subtopology subtopology : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Processor processor) {
                    processor.stores().forEach(store -> topics.add(applicationId() + "-" + store + "-changelog"));
                }
            }
        }
        return topics;
    }
}
