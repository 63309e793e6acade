package dev.concord.consumer.feed;

import java.util.List;

/**
 * A long-poll answer: the changes after the client's cursor, and the cursor to ask from next time
 * (the last change's seq; the client's own cursor when there are none), with the store that cursor
 * belongs to ({@code store}, to send back as {@code store=}).
 */
public record ChangePage(List<ChangeView> changes, long next, String store) {

    public ChangePage {
        changes = List.copyOf(changes);
    }
}
