package dev.concord.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bearer tokens: only a verified signature, an unexpired and already valid token, with a subject, passes. */
class BearerTokensTest {

    private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!!";
    private static final List<String> EVERYTHING = List.of("*:*", "trusted-writer");

    @Test
    void shouldRefuseUnsignedTokensWhenNoSignatureIsConfigured() {
        try (SecuredService service = new SecuredService(Map.of())) {
            String forged = Tokens.unsigned(Tokens.claims("mallory", EVERYTHING).build());

            var response = service.get("/v1/things/customer", "Authorization", "Bearer " + forged);

            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(response.body()).contains("unsigned tokens are never accepted");
            // An HS256 token signed with a key the service never heard of fails too.
            assertThat(service.get("/v1/things/customer", "Authorization", "Bearer "
                    + Tokens.hs256(SECRET, Tokens.claims("mallory", EVERYTHING).build())).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void shouldAcceptOnlyTokensSignedWithTheConfiguredSecretAndInTheirValidityWindow() {
        try (SecuredService service = new SecuredService(Map.of("concord.jwt.secret", SECRET))) {
            String good = Tokens.hs256(SECRET, Tokens.claims("billing", List.of("customer:read")).build());
            assertThat(service.get("/v1/things/customer", "Authorization", "Bearer " + good).body()).contains("\"client\":\"billing\"");

            String unsigned = Tokens.unsigned(Tokens.claims("billing", EVERYTHING).build());
            String wrongKey = Tokens.hs256("another-secret-of-at-least-32-bytes!!!", Tokens.claims("billing", EVERYTHING).build());
            String expired = Tokens.hs256(SECRET, Tokens.claims("billing", EVERYTHING)
                    .expirationTime(Date.from(Instant.now().minusSeconds(120))).build());
            String notYetValid = Tokens.hs256(SECRET, Tokens.claims("billing", EVERYTHING)
                    .notBeforeTime(Date.from(Instant.now().plusSeconds(600))).build());
            String neverExpires = Tokens.hs256(SECRET, Tokens.claims("billing", EVERYTHING).expirationTime(null).build());
            String forgedLogLine = Tokens.hs256(SECRET, Tokens.claims("billing\r\n2026-11-29 INFO admin logged in", EVERYTHING).build());
            for (String token : List.of(unsigned, wrongKey, expired, notYetValid, neverExpires, forgedLogLine)) {
                assertThat(service.get("/v1/things/customer", "Authorization", "Bearer " + token).statusCode())
                        .as(token).isEqualTo(401);
            }
        }
    }

    @Test
    void shouldVerifyTokensAgainstARealJwksEndpoint() throws Exception {
        RSAKey issuerKey = new RSAKeyGenerator(2048).keyID("issuer-1").generate();
        RSAKey attackerKey = new RSAKeyGenerator(2048).keyID("issuer-1").generate();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        byte[] body = new JWKSet(issuerKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        try (SecuredService service = new SecuredService(Map.of("micronaut.security.token.jwt.signatures.jwks.issuer.url",
                "http://localhost:" + jwks.getAddress().getPort() + "/jwks.json"))) {
            String good = Tokens.rs256(issuerKey, Tokens.claims("reporting", List.of("customer:read")).build());
            String forged = Tokens.rs256(attackerKey, Tokens.claims("reporting", EVERYTHING).build());
            String unsigned = Tokens.unsigned(Tokens.claims("reporting", EVERYTHING).build());

            assertThat(service.get("/v1/things/customer", "Authorization", "Bearer " + good).statusCode()).isEqualTo(200);
            assertThat(service.get("/v1/things/order", "Authorization", "Bearer " + good).statusCode()).isEqualTo(403);
            assertThat(service.get("/v1/things/customer", "Authorization", "Bearer " + forged).statusCode()).isEqualTo(401);
            assertThat(service.get("/v1/things/customer", "Authorization", "Bearer " + unsigned).statusCode()).isEqualTo(401);
        } finally {
            jwks.stop(0);
        }
    }
}
