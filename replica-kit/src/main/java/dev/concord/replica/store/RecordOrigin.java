package dev.concord.replica.store;

/**
 * Where a change came from: the Kafka record, byte for byte. Kept with each change of a batch so that a
 * record the store refuses can be dead-lettered with its coordinates and its original bytes.
 */
public record RecordOrigin(String topic, int partition, long offset, byte[] key, byte[] value) {
}
