package dev.concord.security;

import java.util.Set;

/**
 * An authenticated caller: a stable client id (the API key's {@code client}, or the JWT's {@code sub})
 * and what it may do. The client id scopes idempotency keys and the rate limit.
 */
public record Client(String id, Grants grants) {

    /** Used only when security is switched off ({@code micronaut.security.enabled=false}): may do everything. */
    public static final Client UNSECURED = new Client("anonymous", Grants.parse(Set.of(Grants.ALL, Grants.TRUSTED_WRITER)));

    /** An unauthenticated reader where an operator opened reads ({@code concord.security.anonymous-reads=true}). */
    public static final Client ANONYMOUS_READER = new Client("anonymous", Grants.parse(Set.of("*:read")));
}
