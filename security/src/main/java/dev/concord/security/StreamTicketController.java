package dev.concord.security;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.authentication.Authentication;
import java.time.Instant;

/**
 * {@code POST /v1/stream-tickets} with an API key or a JWT → 201 {@code {"ticket", "expiresAt", "ttlSeconds"}}:
 * a short-lived credential for {@code ?ticket=} on SSE and WebSocket (see {@link StreamTickets}). A ticket
 * carries the caller's read grants only ({@link Grants#readOnly()}): it sits in a URL, so it opens no writing and no
 * operator's door; tickets are accepted only on GET, so a ticket cannot be traded for a new one and stretched past
 * its minute.
 */
@Controller("/v1/stream-tickets")
@Requires(beans = StreamTickets.class)
public class StreamTicketController {

    /** The answer: the ticket, when it expires, and its lifetime. */
    public record Ticket(String ticket, Instant expiresAt, long ttlSeconds) {
    }

    private final StreamTickets tickets;
    private final ClientResolver clients;

    public StreamTicketController(StreamTickets tickets, ClientResolver clients) {
        this.tickets = tickets;
        this.clients = clients;
    }

    @Post
    public HttpResponse<Ticket> issue(Authentication authentication) {
        Client client = clients.resolve(authentication);
        return HttpResponse.created(new Ticket(tickets.issue(client), Instant.now().plus(tickets.ttl()), tickets.ttl().toSeconds()));
    }
}
