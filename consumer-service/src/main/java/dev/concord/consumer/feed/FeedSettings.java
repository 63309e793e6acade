package dev.concord.consumer.feed;

import dev.concord.contract.settings.Settings;
import java.time.Duration;

/**
 * The change feed's limits ({@code concord.feed.*}); each bounds memory or waiting.
 *
 * @param maxWait        longest long-poll wait a client may ask for ({@code wait} is capped to it)
 * @param defaultLimit   changes per long-poll answer when the client names no {@code limit}
 * @param maxLimit       most changes per long-poll answer
 * @param pageSize       changes a stream reads from the store at once
 * @param clientQueue    changes a stream holds for its client at most (its outbound queue)
 * @param stallTimeout   how long a stream waits for its client to take one message before telling it to resync
 * @param maxStreams     concurrent SSE and WebSocket clients; more are refused (503 / close) until some leave
 * @param readThreads    threads reading the store for the feed (each holds one connection while reading)
 * @param heartbeat      how often an idle SSE stream gets a comment line, so proxies and clients keep it open
 * @param subscribeTimeout how long a WebSocket may stay open without subscribing (it holds a stream slot meanwhile)
 */
public record FeedSettings(Duration maxWait, int defaultLimit, int maxLimit, int pageSize, int clientQueue,
                           Duration stallTimeout, int maxStreams, int readThreads, Duration heartbeat,
                           Duration subscribeTimeout) {

    public FeedSettings {
        if (defaultLimit < 1 || maxLimit < defaultLimit || pageSize < 1 || clientQueue < 1 || maxStreams < 1 || readThreads < 1
                || heartbeat.isNegative() || heartbeat.isZero() || subscribeTimeout.isNegative() || subscribeTimeout.isZero()) {
            throw new IllegalArgumentException("concord.feed limits must be positive (and default-limit <= max-limit): " + this);
        }
    }

    /** What {@code concord.feed.*} sets, each unset one at its default ({@link #defaults()}). */
    public static FeedSettings from(Settings settings) {
        FeedSettings d = defaults();
        return new FeedSettings(
                settings.duration("concord.feed.max-wait", d.maxWait()),
                settings.count("concord.feed.default-limit", d.defaultLimit(), 1, 100_000),
                settings.count("concord.feed.max-limit", d.maxLimit(), 1, 100_000),
                settings.count("concord.feed.page-size", d.pageSize(), 1, 100_000),
                settings.count("concord.feed.client-queue", d.clientQueue(), 1, 1_000_000),
                settings.duration("concord.feed.stall-timeout", d.stallTimeout()),
                settings.count("concord.feed.max-streams", d.maxStreams(), 1, 1_000_000),
                settings.count("concord.feed.read-threads", d.readThreads(), 1, 256),
                settings.duration("concord.feed.heartbeat", d.heartbeat()),
                settings.duration("concord.feed.subscribe-timeout", d.subscribeTimeout()));
    }

    public static FeedSettings defaults() {
        return new FeedSettings(Duration.ofSeconds(30), 100, 1000, 200, 1000, Duration.ofSeconds(30), 1000, 2,
                Duration.ofSeconds(15), Duration.ofSeconds(10));
    }
}
