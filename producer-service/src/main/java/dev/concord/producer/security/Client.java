package dev.concord.producer.security;

import java.util.Set;

/**
 * An authenticated caller: a stable client id (the API key's {@code client}, or the JWT's {@code sub})
 * and what it may do. The client id scopes idempotency keys and the rate limit.
 */
public record Client(String id, Grants grants) {

    /** Used only when security is switched off ({@code concord.security.enabled=false}): may do everything. */
    public static final Client UNSECURED = new Client("anonymous", Grants.parse(Set.of(Grants.ALL, Grants.TRUSTED_WRITER)));
}
