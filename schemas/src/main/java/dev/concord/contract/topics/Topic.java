package dev.concord.contract.topics;

import org.apache.kafka.common.serialization.Serde;

/** A topic with the serdes of its keys and values: declared once, shared by main code and tests. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
}
