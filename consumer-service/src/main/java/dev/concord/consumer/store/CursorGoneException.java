package dev.concord.consumer.store;

/**
 * The store cannot serve the changes after a cursor without a gap: changes after it were purged (rows
 * removed by Kafka tombstones after the processor's retention), or the cursor belongs to another store.
 * The client must resync: list the entities again and follow the feed from the listing's cursor.
 */
public final class CursorGoneException extends RuntimeException {

    private final String storeId;

    public CursorGoneException(String reason, String storeId) {
        super(reason);
        this.storeId = storeId;
    }

    /** This replica's store, for the client's next cursor. */
    public String storeId() {
        return storeId;
    }
}
