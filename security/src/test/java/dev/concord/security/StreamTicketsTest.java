package dev.concord.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tickets verify only unaltered, unexpired, and only with the secret that signed them. */
class StreamTicketsTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final Client READER = new Client("reader\nforged", Grants.parse(List.of("customer:read")));

    @Test
    void shouldVerifyUntilItExpires() {
        Instant now = Instant.parse("2026-11-29T12:00:00Z");
        String ticket = new StreamTickets(SECRET, Duration.ofSeconds(60), Clock.fixed(now, ZoneOffset.UTC)).issue(READER);

        assertThat(new StreamTickets(SECRET, Duration.ofSeconds(60), Clock.fixed(now.plusSeconds(59), ZoneOffset.UTC)).verify(ticket))
                .contains(READER);
        assertThat(new StreamTickets(SECRET, Duration.ofSeconds(60), Clock.fixed(now.plusSeconds(60), ZoneOffset.UTC)).verify(ticket))
                .isEmpty();
    }

    @Test
    void shouldRefuseAnotherInstancesSecretAndGarbage() {
        Clock clock = Clock.systemUTC();
        String ticket = new StreamTickets(SECRET, Duration.ofSeconds(60), clock).issue(READER);
        byte[] other = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);

        assertThat(new StreamTickets(other, Duration.ofSeconds(60), clock).verify(ticket)).isEmpty();
        StreamTickets tickets = new StreamTickets(SECRET, Duration.ofSeconds(60), clock);
        for (String garbage : new String[] {"", ".", "abc", "abc.def", ticket + "x", "%%%." + ticket.split("\\.")[1]}) {
            assertThat(tickets.verify(garbage)).as(garbage).isEmpty();
        }
    }

    @Test
    void shouldCarryOnlyTheClientsReadGrants() {
        Clock clock = Clock.systemUTC();
        StreamTickets tickets = new StreamTickets(SECRET, Duration.ofSeconds(60), clock);
        Client operator = new Client("ops", Grants.parse(List.of("*:*", "order:admin", "customer:write", "invoice:read",
                Grants.TRUSTED_WRITER)));

        Client holder = tickets.verify(tickets.issue(operator)).orElseThrow();

        assertThat(holder.id()).isEqualTo("ops");
        assertThat(holder.grants().sorted()).containsExactly("*:read", "invoice:read");
        assertThat(holder.grants().allows("order", Action.ADMIN)).isFalse();
        assertThat(holder.grants().allows("customer", Action.WRITE)).isFalse();
        assertThat(holder.grants().allows("order", Action.READ)).isTrue();
    }
}
