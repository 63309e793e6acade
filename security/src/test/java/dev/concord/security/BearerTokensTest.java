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
            // aud may be a list (RFC 7519): one of them naming Concord is enough
            String forSeveral = Tokens.hs256(SECRET, Tokens.claims("billing", List.of("customer:read"))
                    .audience(List.of("reporting", SignedTokensOnly.DEFAULT_AUDIENCE)).build());
            assertThat(service.get("/v1/things/customer", "Authorization", "Bearer " + forSeveral).statusCode()).isEqualTo(200);

            String unsigned = Tokens.unsigned(Tokens.claims("billing", EVERYTHING).build());
            String wrongKey = Tokens.hs256("another-secret-of-at-least-32-bytes!!!", Tokens.claims("billing", EVERYTHING).build());
            String expired = Tokens.hs256(SECRET, Tokens.claims("billing", EVERYTHING)
                    .expirationTime(Date.from(Instant.now().minusSeconds(120))).build());
            String notYetValid = Tokens.hs256(SECRET, Tokens.claims("billing", EVERYTHING)
                    .notBeforeTime(Date.from(Instant.now().plusSeconds(600))).build());
            String neverExpires = Tokens.hs256(SECRET, Tokens.claims("billing", EVERYTHING).expirationTime(null).build());
            String forgedLogLine = Tokens.hs256(SECRET, Tokens.claims("billing\r\n2026-11-29 INFO admin logged in", EVERYTHING).build());
            String noAudience = Tokens.hs256(SECRET, Tokens.claims("billing", EVERYTHING).audience((String) null).build());
            String anotherApplications = Tokens.hs256(SECRET, Tokens.claims("billing", EVERYTHING).audience("reporting").build());
            for (String token : List.of(unsigned, wrongKey, expired, notYetValid, neverExpires, forgedLogLine, noAudience,
                    anotherApplications)) {
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
        String idp = "https://idp.example.com";
        try (SecuredService service = new SecuredService(Map.of("micronaut.security.token.jwt.signatures.jwks.issuer.url",
                "http://localhost:" + jwks.getAddress().getPort() + "/jwks.json", "concord.jwt.audience", "concord-production",
                "concord.jwt.issuer", idp))) {
            String good = Tokens.rs256(issuerKey, Tokens.claims("reporting", List.of("customer:read")).issuer(idp)
                    .audience("concord-production").build());
            String forged = Tokens.rs256(attackerKey, Tokens.claims("reporting", EVERYTHING).issuer(idp)
                    .audience("concord-production").build());
            String unsigned = Tokens.unsigned(Tokens.claims("reporting", EVERYTHING).issuer(idp).audience("concord-production").build());
            // The same identity provider's tokens for another application, or for another Concord, and another issuer's
            String forStaging = Tokens.rs256(issuerKey, Tokens.claims("reporting", EVERYTHING).issuer(idp).audience("concord-staging").build());
            String otherIssuer = Tokens.rs256(issuerKey, Tokens.claims("reporting", EVERYTHING).issuer("https://elsewhere")
                    .audience("concord-production").build());
            // HS256 with the published public key as its secret (algorithm confusion): no HMAC key is configured here
            String confused = Tokens.hs256(issuerKey.toPublicJWK().toJSONString(), Tokens.claims("reporting", EVERYTHING).issuer(idp)
                    .audience("concord-production").build());

            assertThat(service.get("/v1/things/customer", "Authorization", "Bearer " + good).statusCode()).isEqualTo(200);
            assertThat(service.get("/v1/things/order", "Authorization", "Bearer " + good).statusCode()).isEqualTo(403);
            for (String refused : List.of(forged, unsigned, forStaging, otherIssuer, confused)) {
                assertThat(service.get("/v1/things/customer", "Authorization", "Bearer " + refused).statusCode()).as(refused).isEqualTo(401);
            }
        } finally {
            jwks.stop(0);
        }
    }
}
