package dev.concord.security;

import dev.concord.contract.settings.Settings;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.filters.AuthenticationFetcher;
import java.util.List;
import java.util.Map;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates {@code X-Api-Key: <key>} or {@code Authorization: ApiKey <key>} against the hashed keys
 * ({@link ApiKeys}). A presented key that matches nothing leaves the request unauthenticated (→ 401) and
 * marks it, so the 401 can say "unknown API key" rather than "no credentials".
 */
@Context // built at start: a malformed key configuration stops the service instead of failing its first request
@Requires(property = "micronaut.security.enabled", notEquals = "false")
public class ApiKeyAuthenticationFetcher implements AuthenticationFetcher<HttpRequest<?>> {

    public static final String HEADER = "X-Api-Key";
    public static final String SCHEME = "ApiKey";
    /** Request attribute set when a presented API key is unknown. */
    public static final String REJECTED_KEY = "concord.api-key.rejected";

    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyAuthenticationFetcher.class);

    private final ApiKeys keys;

    public ApiKeyAuthenticationFetcher(Settings settings) {
        String devKey = settings.optionalText("concord.security.dev-api-key").orElse(null);
        this.keys = ApiKeys.load(settings.optionalText("concord.security.api-keys").orElse(null),
                settings.optionalText("concord.security.api-keys-file").orElse(null), devKey);
        if (devKey != null) {
            LOG.warn("A development API key (CONCORD_DEV_API_KEY) is accepted with every grant, as client '{}'. Never set it in production.",
                    ApiKeys.DEV_CLIENT);
        }
        LOG.info("{} API key(s) configured", keys.size());
    }

    @Override
    public Publisher<Authentication> fetchAuthentication(HttpRequest<?> request) {
        String key = presentedKey(request);
        if (key == null) {
            return Publishers.empty();
        }
        return keys.find(key)
                .map(client -> Publishers.just(Authentication.build(client.id(), client.grants().sorted(),
                        Map.of(ClientResolver.AUTHENTICATED_BY, "api-key"))))
                .orElseGet(() -> {
                    request.setAttribute(REJECTED_KEY, Boolean.TRUE);
                    return Publishers.empty();
                });
    }

    static String presentedKey(HttpRequest<?> request) {
        String header = request.getHeaders().get(HEADER);
        if (header != null) {
            return header.trim();
        }
        List<String> authorization = request.getHeaders().getAll(HttpHeaders.AUTHORIZATION);
        for (String value : authorization) {
            if (value.regionMatches(true, 0, SCHEME + " ", 0, SCHEME.length() + 1)) {
                return value.substring(SCHEME.length() + 1).trim();
            }
        }
        return null;
    }
}
