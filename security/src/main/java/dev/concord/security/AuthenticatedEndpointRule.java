package dev.concord.security;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpRequest;
import io.micronaut.inject.ExecutableMethod;
import io.micronaut.management.endpoint.EndpointSensitivityProcessor;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRuleResult;
import io.micronaut.security.rules.SensitiveEndpointRule;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

/**
 * Sensitive management endpoints (metrics, unless an operator marks them not sensitive) are open to any
 * authenticated client. Micronaut refuses every sensitive endpoint until an application says what
 * "authenticated enough" means; for Concord it is a valid API key or signed JWT, as on every other door.
 */
@Singleton
@Replaces(SensitiveEndpointRule.class)
public class AuthenticatedEndpointRule extends SensitiveEndpointRule {

    public AuthenticatedEndpointRule(EndpointSensitivityProcessor endpointSensitivityProcessor) {
        super(endpointSensitivityProcessor);
    }

    @Override
    @NonNull
    protected Publisher<SecurityRuleResult> checkSensitiveAuthenticated(@NonNull HttpRequest<?> request,
                                                                        @Nullable Authentication authentication,
                                                                        @NonNull ExecutableMethod<?, ?> method) {
        return Publishers.just(authentication == null ? SecurityRuleResult.UNKNOWN : SecurityRuleResult.ALLOWED);
    }
}
