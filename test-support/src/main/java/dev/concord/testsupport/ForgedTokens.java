package dev.concord.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Tokens an attacker would send: what every door must refuse. */
public final class ForgedTokens {

    private ForgedTokens() {
    }

    /**
     * An unsigned JWT ({@code alg=none}) claiming {@code grants} for {@code subject}, valid for ten minutes: the
     * forgery a service accepts when it treats a token without a signature as verified.
     */
    public static String unsigned(String subject, String... grants) {
        String claims = "{\"sub\":\"" + subject + "\",\"grants\":["
                + Stream.of(grants).map(grant -> "\"" + grant + "\"").collect(Collectors.joining(","))
                + "],\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}";
        return "eyJhbGciOiJub25lIn0." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".";
    }
}
