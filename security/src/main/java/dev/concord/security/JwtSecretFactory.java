package dev.concord.security;

import com.nimbusds.jose.JWSAlgorithm;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.security.token.jwt.signature.SignatureConfiguration;
import io.micronaut.security.token.jwt.signature.secret.SecretSignature;
import io.micronaut.security.token.jwt.signature.secret.SecretSignatureConfiguration;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;

/**
 * Validates JWT bearer tokens signed with a shared HMAC secret ({@code CONCORD_JWT_SECRET}, at least 32
 * bytes; HS256). Only when the secret is set: without it, bearer tokens validate only against signatures
 * configured the Micronaut way, e.g. a JWKS URL ({@code MICRONAUT_SECURITY_TOKEN_JWT_SIGNATURES_JWKS_IDP_URL}).
 */
@Factory
@Requires(property = "concord.jwt.secret")
public class JwtSecretFactory {

    @Singleton
    @Named("concord-hmac")
    public SignatureConfiguration concordHmacSignature(@Value("${concord.jwt.secret}") String secret) {
        if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("CONCORD_JWT_SECRET must be at least 32 bytes (256 bits) for HS256");
        }
        SecretSignatureConfiguration config = new SecretSignatureConfiguration("concord-hmac");
        config.setSecret(secret);
        config.setJwsAlgorithm(JWSAlgorithm.HS256);
        return new SecretSignature(config);
    }
}
