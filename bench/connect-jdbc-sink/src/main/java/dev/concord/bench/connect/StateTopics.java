package dev.concord.bench.connect;

import dev.concord.contract.topics.TopicNames;

/** The entity type a state topic carries, from its name (docs/contract.md, "Topics"). */
final class StateTopics {

    private static final String PREFIX = TopicNames.state("");

    private StateTopics() {
    }

    static String typeOf(String topic) {
        if (!topic.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a Concord state topic: " + topic);
        }
        return topic.substring(PREFIX.length());
    }
}
