package dev.concord.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reads need credentials and the read grant of the type, unless an operator opened them; probes stay open. */
class ReadDoorsTest {

    @Test
    void shouldRefuseAnonymousReadsByDefaultAndCheckTheReadGrant() {
        try (SecuredService service = new SecuredService(Map.of())) {
            var anonymous = service.get("/v1/things/customer");
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isPresent();

            assertThat(service.get("/v1/things/customer", "X-Api-Key", SecuredService.READER_KEY).statusCode()).isEqualTo(200);
            var otherType = service.get("/v1/things/order", "X-Api-Key", SecuredService.READER_KEY);
            assertThat(otherType.statusCode()).isEqualTo(403);
            assertThat(otherType.body()).contains("order:read");
            assertThat(service.get("/v1/things/order", "X-Api-Key", SecuredService.DEV_KEY).statusCode()).isEqualTo(200);
            assertThat(service.get("/v1/things/customer", "X-Api-Key", "guess").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void shouldServeAnonymousReadsOnlyWhereAnOperatorOpenedThem() {
        try (SecuredService service = new SecuredService(Map.of("concord.security.anonymous-reads", true))) {
            assertThat(service.get("/v1/things/customer").statusCode()).isEqualTo(200);
            // Opening reads opens nothing else: a ticket still needs credentials.
            assertThat(service.post("/v1/stream-tickets").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void shouldKeepProbesAnonymousAndShowHealthDetailsOnlyToAuthenticatedCallers() {
        try (SecuredService service = new SecuredService(Map.of())) {
            var anonymous = service.get("/health");
            assertThat(anonymous.statusCode()).isEqualTo(200);
            assertThat(anonymous.body()).doesNotContain("details");
            assertThat(service.get("/health/liveness").statusCode()).isEqualTo(200);
            assertThat(service.get("/health/readiness").statusCode()).isEqualTo(200);
            assertThat(service.get("/health", "X-Api-Key", SecuredService.READER_KEY).body()).contains("details");
        }
    }

    @Test
    void shouldLetABrowserStreamWithAShortLivedTicketInsteadOfItsKey() throws Exception {
        try (SecuredService service = new SecuredService(Map.of())) {
            var issued = service.post("/v1/stream-tickets", "X-Api-Key", SecuredService.READER_KEY);
            assertThat(issued.statusCode()).isEqualTo(201);
            String ticket = new ObjectMapper().readTree(issued.body()).path("ticket").asText();

            assertThat(service.get("/v1/things/customer?ticket=" + ticket).statusCode()).isEqualTo(200);
            // The ticket carries the reader's grants, no more.
            assertThat(service.get("/v1/things/order?ticket=" + ticket).statusCode()).isEqualTo(403);
            String tampered = ticket.substring(0, ticket.length() - 2) + (ticket.endsWith("AA") ? "BB" : "AA");
            var refused = service.get("/v1/things/customer?ticket=" + tampered);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).contains("stream ticket");
        }
    }
}
