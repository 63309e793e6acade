package dev.concord.consumer.store;

import java.util.List;

/**
 * One page of a type's entities in id order.
 *
 * @param entities  at most the requested number, ids ascending
 * @param nextAfter the id to pass as {@code after} for the next page; null when this was the last page
 * @param changeSeq the change feed's head when the page was read: a client that
 *                  lists every page and then follows the change feed from this cursor misses nothing
 *                  (changes committed while it was listing come again, with greater versions)
 */
public record EntityPage(List<StoredEntity> entities, String nextAfter, long changeSeq) {

    public EntityPage {
        entities = List.copyOf(entities);
    }
}
