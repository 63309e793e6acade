package dev.concord.security;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The {@link Client} behind a request: id and grants from the authentication, whichever way it was
 * made. API keys carry their configured grants; JWTs carry them in the {@code grants} claim (a list,
 * or a space- or comma-separated string), which Micronaut exposes as roles.
 */
@Singleton
public class ClientResolver {

    static final String AUTHENTICATED_BY = "concord.authenticated-by";

    private final boolean securityEnabled;

    public ClientResolver(@Value("${micronaut.security.enabled:true}") boolean securityEnabled) {
        this.securityEnabled = securityEnabled;
    }

    public boolean securityEnabled() {
        return securityEnabled;
    }

    public Client resolve(@Nullable Authentication authentication) {
        if (authentication == null) {
            if (!securityEnabled) {
                return Client.UNSECURED;
            }
            // The security filter refuses unauthenticated calls first; reaching here is a configuration error.
            throw new IllegalStateException("request reached a secured route without authentication");
        }
        return new Client(authentication.getName(), Grants.parse(split(authentication.getRoles())));
    }

    private static List<String> split(Collection<String> roles) {
        List<String> grants = new ArrayList<>();
        for (String role : roles) {
            for (String part : role.split("[\\s,]+")) {
                if (!part.isEmpty()) {
                    grants.add(part);
                }
            }
        }
        return grants;
    }
}
