package dev.concord.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** JWTs as an attacker and as an honest issuer would make them. */
final class Tokens {

    private Tokens() {
    }

    static JWTClaimsSet.Builder claims(String sub, List<String> grants) {
        return new JWTClaimsSet.Builder().subject(sub).claim("grants", grants).audience(SignedTokensOnly.DEFAULT_AUDIENCE)
                .expirationTime(Date.from(Instant.now().plusSeconds(300)));
    }

    static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    static String hs256(String secret, JWTClaimsSet claims) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims, macSigner(secret));
    }

    static String rs256(RSAKey key, JWTClaimsSet claims) {
        try {
            return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims,
                    new RSASSASigner(key));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWSSigner macSigner(String secret) {
        try {
            return new MACSigner(secret);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
