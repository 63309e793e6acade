package dev.concord.security;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.security.rules.SecurityRuleResult;
import jakarta.inject.Singleton;
import java.util.List;
import org.reactivestreams.Publisher;

/**
 * The door rule of every Concord service, consulted after Micronaut's own rules ({@code @Secured},
 * management endpoints' {@code sensitive} flag): any authenticated caller may pass to a route, where
 * grants per type and action are then checked ({@link AccessPolicy}); an anonymous caller passes only
 * to the read paths ({@code concord.security.read-paths}) and only when an operator opened reads with
 * {@code concord.security.anonymous-reads=true}. Everything else stays undecided, which Micronaut
 * Security refuses: 401 without credentials. Probes ({@code /health}, {@code /health/liveness},
 * {@code /health/readiness}) are management endpoints marked not sensitive; their details show only to
 * authenticated callers ({@code endpoints.health.details-visible: AUTHENTICATED}).
 */
@Singleton
public class DoorAccessRule implements SecurityRule<HttpRequest<?>> {

    /** After Micronaut's rules, so an explicit {@code @Secured} or endpoint setting wins. */
    public static final int ORDER = 1000;

    private final boolean anonymousReads;
    private final List<String> readPaths;

    public DoorAccessRule(@Value("${concord.security.anonymous-reads:false}") boolean anonymousReads,
                          @Value("${concord.security.read-paths:}") List<String> readPaths) {
        this.anonymousReads = anonymousReads;
        this.readPaths = readPaths.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
    }

    @Override
    public Publisher<SecurityRuleResult> check(@Nullable HttpRequest<?> request, @Nullable Authentication authentication) {
        if (authentication != null) {
            return Publishers.just(SecurityRuleResult.ALLOWED);
        }
        if (request != null && anonymousReads && isReadPath(request.getPath())) {
            return Publishers.just(SecurityRuleResult.ALLOWED);
        }
        return Publishers.just(SecurityRuleResult.UNKNOWN);
    }

    private boolean isReadPath(String path) {
        for (String prefix : readPaths) {
            if (path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
