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
 * {@code concord.security.anonymous-reads=true}; anyone may fetch the public paths
 * ({@code concord.security.public-paths}: static pages that hold no data, such as the live page). Everything else stays undecided, which Micronaut
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
    private final List<String> publicPaths;

    public DoorAccessRule(AccessPolicy policy,
                          @Value("${concord.security.read-paths:}") List<String> readPaths,
                          @Value("${concord.security.public-paths:}") List<String> publicPaths) {
        this.anonymousReads = policy.anonymousReads();
        this.readPaths = trimmed(readPaths);
        this.publicPaths = trimmed(publicPaths);
    }

    private static List<String> trimmed(List<String> paths) {
        return paths.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
    }

    @Override
    public Publisher<SecurityRuleResult> check(@Nullable HttpRequest<?> request, @Nullable Authentication authentication) {
        if (authentication != null) {
            return Publishers.just(SecurityRuleResult.ALLOWED);
        }
        if (request != null && (isUnder(publicPaths, request.getPath()) || anonymousReads && isUnder(readPaths, request.getPath()))) {
            return Publishers.just(SecurityRuleResult.ALLOWED);
        }
        return Publishers.just(SecurityRuleResult.UNKNOWN);
    }

    /** {@code /live} covers {@code /live} and {@code /live/...}; {@code /} covers only {@code /}. */
    private static boolean isUnder(List<String> prefixes, String path) {
        for (String prefix : prefixes) {
            if (path.equals(prefix) || !prefix.equals("/") && path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/")) {
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
