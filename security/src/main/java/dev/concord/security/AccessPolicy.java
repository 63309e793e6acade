package dev.concord.security;

import dev.concord.contract.settings.Settings;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.authentication.AuthorizationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Grants per type and action, checked where the type is known (a path segment, a subscription). The
 * security filter has already refused requests without valid credentials (see {@link DoorAccessRule});
 * here an authenticated client must also hold the grant, and an anonymous caller passes only for reads
 * that an operator explicitly opened ({@code concord.security.anonymous-reads=true}).
 */
@Context // built at start: a bad setting stops the service instead of failing a request
public class AccessPolicy {

    private final ClientResolver clients;
    private final boolean anonymousReads;

    public AccessPolicy(ClientResolver clients, Settings settings) {
        this(clients, settings.flag("concord.security.anonymous-reads", false));
    }

    AccessPolicy(ClientResolver clients, boolean anonymousReads) {
        this.clients = clients;
        this.anonymousReads = anonymousReads;
    }

    /** Whether an operator opened reads to callers without credentials ({@code CONCORD_ANONYMOUS_READS}). */
    public boolean anonymousReads() {
        return anonymousReads;
    }

    /**
     * @return the client allowed {@code action} on {@code type}
     * @throws AuthorizationException (401) without credentials, {@link ForbiddenException} (403) without the grant
     */
    public Client require(@Nullable Authentication authentication, String type, Action action, String field) {
        Client client = client(authentication, action);
        if (!client.grants().allows(type, action)) {
            throw new ForbiddenException(client, type, action, field);
        }
        return client;
    }

    /**
     * The subset of {@code types} the caller may read, in order: 401 without credentials where reads are
     * closed, {@link ForbiddenException} (403) when it may read none of them.
     */
    public List<String> requireReadable(@Nullable Authentication authentication, Collection<String> types, String field) {
        Client client = client(authentication, Action.READ);
        List<String> allowed = new ArrayList<>();
        for (String type : types) {
            if (client.grants().allows(type, Action.READ)) {
                allowed.add(type);
            }
        }
        if (allowed.isEmpty()) {
            throw new ForbiddenException(client, "*", Action.READ, field);
        }
        return allowed;
    }

    private Client client(@Nullable Authentication authentication, Action action) {
        if (authentication == null && action == Action.READ && anonymousReads) {
            return Client.ANONYMOUS_READER;
        }
        if (authentication == null && !clients.securityEnabled()) {
            return Client.UNSECURED;
        }
        if (authentication == null) {
            throw new AuthorizationException(null);
        }
        return clients.resolve(authentication);
    }
}
