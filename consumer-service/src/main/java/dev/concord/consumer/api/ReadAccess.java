package dev.concord.consumer.api;

import dev.concord.replica.ReplicatedTypes;
import dev.concord.security.AccessPolicy;
import dev.concord.security.Action;
import dev.concord.security.ForbiddenException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The read grant on this replica's doors: entity reads and listings need {@code <type>:read}; a feed
 * (long poll, SSE, WebSocket) needs it for every type it names, and a feed that names none follows the
 * types the caller may read — all of them for {@code *:read}, never one it may not.
 */
@Singleton
class ReadAccess {

    private final AccessPolicy access;
    private final ReplicatedTypes replicated;

    ReadAccess(AccessPolicy access, ReplicatedTypes replicated) {
        this.access = access;
        this.replicated = replicated;
    }

    void requireRead(@Nullable Authentication authentication, String type) {
        access.require(authentication, type, Action.READ, "type");
    }

    /** The request narrowed to what the caller may read; {@link ForbiddenException} when it names a type it may not. */
    FeedRequest authorize(@Nullable Authentication authentication, FeedRequest request) {
        if (!request.types().isEmpty()) {
            request.types().forEach(type -> access.require(authentication, type, Action.READ, "types"));
            return request;
        }
        List<String> all = replicated.names();
        List<String> readable = access.requireReadable(authentication, all, "types");
        return readable.size() == all.size() ? request : new FeedRequest(request.cursor(), readable);
    }
}
