package dev.concord.security;

import com.nimbusds.jwt.SignedJWT;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.token.Claims;
import io.micronaut.security.token.jwt.signature.ReactiveSignatureConfiguration;
import io.micronaut.security.token.jwt.signature.SignatureConfiguration;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import jakarta.inject.Singleton;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the door Micronaut leaves open: with bearer authentication on and no signature configured (no
 * {@code CONCORD_JWT_SECRET}, no JWKS URL), Micronaut treats an unsigned ({@code alg=none}) token as
 * verified. This validator runs on every JWT after the signature check and refuses every token when
 * nothing could have verified a signature; with a signature configured, Micronaut itself refuses unsigned
 * tokens. It also requires {@code exp} and a printable {@code sub}: a token that never expires, or names
 * no usable client, is not accepted ({@code nbf} is enforced by Micronaut's not-before validator, switched on in every
 * service's configuration).
 *
 * <p>And it requires the token to be meant for Concord: its {@code aud} must name Concord's audience
 * ({@code CONCORD_JWT_AUDIENCE}, {@code concord} by default), and its {@code iss} must be the configured issuer when one
 * is ({@code CONCORD_JWT_ISSUER}). An identity provider behind a JWKS signs tokens for every application it serves: a
 * valid signature says who issued a token, not that it was issued for Concord.
 */
@Singleton
public class SignedTokensOnly implements GenericJwtClaimsValidator<HttpRequest<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(SignedTokensOnly.class);

    /** The audience a token must name when none is configured. */
    public static final String DEFAULT_AUDIENCE = "concord";

    private final boolean signatureConfigured;
    private final String audience;
    private final String issuer;

    public SignedTokensOnly(List<SignatureConfiguration> signatures, List<ReactiveSignatureConfiguration<SignedJWT>> reactiveSignatures,
                            @Value("${concord.jwt.audience:}") String audience, @Value("${concord.jwt.issuer:}") String issuer) {
        this.signatureConfigured = !signatures.isEmpty() || !reactiveSignatures.isEmpty();
        this.audience = audience == null || audience.isBlank() ? DEFAULT_AUDIENCE : audience.trim();
        this.issuer = issuer == null || issuer.isBlank() ? null : issuer.trim();
        if (!signatureConfigured) {
            LOG.info("No JWT signature is configured (CONCORD_JWT_SECRET or a JWKS URL): bearer tokens are refused;"
                    + " API keys work as configured.");
        }
    }

    public boolean signatureConfigured() {
        return signatureConfigured;
    }

    @Override
    public boolean validate(Claims claims, @Nullable HttpRequest<?> request) {
        return signatureConfigured && claims.get(Claims.EXPIRATION_TIME) != null && isClientId(claims.get(Claims.SUBJECT))
                && names(claims.get(Claims.AUDIENCE), audience) && (issuer == null || issuer.equals(claims.get(Claims.ISSUER)));
    }

    /** Whether {@code aud} (a string, or a list of them, as RFC 7519 allows) names {@code wanted}. */
    private static boolean names(@Nullable Object aud, String wanted) {
        if (aud instanceof java.util.Collection<?> audiences) {
            return audiences.stream().anyMatch(wanted::equals);
        }
        return wanted.equals(aud);
    }

    /**
     * The subject becomes the client id: it scopes idempotency keys and rate limits and appears in logs
     * and problems, so it must be a short, printable string (1 to 256 characters, no control characters).
     */
    static boolean isClientId(@Nullable Object subject) {
        if (!(subject instanceof String id) || id.isBlank() || id.length() > 256) {
            return false;
        }
        return id.chars().noneMatch(Character::isISOControl);
    }
}
