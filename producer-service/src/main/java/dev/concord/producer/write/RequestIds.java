package dev.concord.producer.write;

import java.util.UUID;

/**
 * The request id recorded in each event's {@code source.requestId}, so one write can be traced from
 * the client's logs to the event: the client's {@code X-Request-Id} if it is sane, else a new one.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    static final int MAX_LENGTH = 128;

    private RequestIds() {
    }

    public static String fromHeaderOrNew(String header) {
        boolean usable = header != null && !header.isBlank() && header.length() <= MAX_LENGTH
                && header.chars().noneMatch(Character::isISOControl);
        return usable ? header : UUID.randomUUID().toString();
    }
}
