package dev.concord.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.settings.Settings;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Short-lived, signed tickets that let a browser open an SSE stream or a WebSocket, which cannot carry
 * an {@code X-Api-Key} or {@code Authorization} header: the page asks for a ticket with its credentials
 * ({@code POST /v1/stream-tickets}), then opens {@code ...?ticket=<ticket>}. A ticket names the client
 * and its grants, expires after {@code ttl} (default 60 s), and is signed with HMAC-SHA256, so any
 * instance sharing the secret accepts it and none has to remember it. A ticket is meant to appear in a
 * URL (and so perhaps in a proxy's log): it is useless after a minute, unlike the key that obtained it.
 *
 * <p>The secret is {@code concord.security.stream-tickets.secret} (at least 32 bytes; set the same one on
 * every instance behind one load balancer), or a random one per instance when unset.
 */
@Context // built at start: a bad setting stops the service instead of failing a request
@Requires(property = "concord.security.stream-tickets.enabled", value = "true")
public class StreamTickets {

    private static final Logger LOG = LoggerFactory.getLogger(StreamTickets.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final byte[] secret;
    private final Duration ttl;
    private final Clock clock;

    @Inject
    public StreamTickets(Settings settings) {
        this(secretBytes(settings.optionalText("concord.security.stream-tickets.secret").orElse(null)),
                settings.duration("concord.security.stream-tickets.ttl", Duration.ofSeconds(60)), Clock.systemUTC());
    }

    StreamTickets(byte[] secret, Duration ttl, Clock clock) {
        this.secret = secret.clone();
        this.ttl = ttl;
        this.clock = clock;
    }

    public Duration ttl() {
        return ttl;
    }

    /** A ticket for {@code client}, valid for {@link #ttl()}. */
    public String issue(Client client) {
        ObjectNode body = JSON.createObjectNode();
        body.put("sub", client.id());
        // Read grants only: a ticket is for reading streams, and it may end up in a proxy's access log.
        body.putPOJO("grants", client.grants().readOnly().sorted());
        body.put("exp", clock.instant().plus(ttl).getEpochSecond());
        String payload = B64.encodeToString(body.toString().getBytes(StandardCharsets.UTF_8));
        return payload + "." + B64.encodeToString(sign(payload));
    }

    /** The client a valid, unexpired ticket names; empty for anything else. */
    public Optional<Client> verify(String ticket) {
        int dot = ticket == null ? -1 : ticket.indexOf('.');
        if (dot <= 0 || ticket.length() > 8192) {
            return Optional.empty();
        }
        String payload = ticket.substring(0, dot);
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(ticket.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(sign(payload), signature)) {
            return Optional.empty();
        }
        try {
            JsonNode body = JSON.readTree(Base64.getUrlDecoder().decode(payload));
            if (body.path("exp").asLong(0) <= clock.instant().getEpochSecond()) {
                return Optional.empty();
            }
            List<String> grants = new ArrayList<>();
            body.path("grants").forEach(g -> grants.add(g.asText()));
            return Optional.of(new Client(body.path("sub").asText(), Grants.parse(grants).readOnly()));
        } catch (Exception e) {
            return Optional.empty(); // signed by us, so only a bug gets here; refuse rather than guess
        }
    }

    private byte[] sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] secretBytes(@Nullable String configured) {
        if (configured != null && !configured.isBlank()) {
            byte[] bytes = configured.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < 32) {
                throw new IllegalArgumentException("concord.security.stream-tickets.secret must be at least 32 bytes");
            }
            return bytes;
        }
        LOG.info("Stream tickets are signed with a random per-instance secret; behind a load balancer with several"
                + " instances set concord.security.stream-tickets.secret (CONCORD_STREAM_TICKET_SECRET) on all of them.");
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return random;
    }
}
