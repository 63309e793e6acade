package dev.concord.consumer.store;

/**
 * A client's position in this replica's change feed: the last {@code change_seq} it has, and the store
 * that seq belongs to. {@code change_seq} values are local to one store (one database), so a cursor names
 * its store: a client that brings a cursor of another store (another replica behind the same address, a
 * store rebuilt from scratch) is told to resync instead of resuming at a number that means nothing here.
 *
 * @param store the store id the cursor was issued by, or null when the client did not say (then only the
 *              seq is checked: it must not be ahead of this store's feed)
 * @param seq   the last change the client has; 0 = it has nothing (from the beginning)
 */
public record FeedCursor(String store, long seq) {

    public static FeedCursor start() {
        return new FeedCursor(null, 0);
    }

    public FeedCursor at(long nextSeq) {
        return new FeedCursor(store, nextSeq);
    }
}
