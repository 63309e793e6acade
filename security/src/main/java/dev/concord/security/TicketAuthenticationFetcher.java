package dev.concord.security;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.filters.AuthenticationFetcher;
import jakarta.inject.Singleton;
import java.util.Map;
import org.reactivestreams.Publisher;

/**
 * Authenticates a GET carrying {@code ?ticket=<stream ticket>} ({@link StreamTickets}): the way a
 * browser's EventSource or WebSocket presents credentials. A ticket that does not verify leaves the
 * request unauthenticated (→ 401) and marks it, so the 401 can say the ticket was refused.
 */
@Singleton
@Requires(beans = StreamTickets.class)
@Requires(property = "micronaut.security.enabled", notEquals = "false")
public class TicketAuthenticationFetcher implements AuthenticationFetcher<HttpRequest<?>> {

    public static final String PARAMETER = "ticket";
    /** Request attribute set when a presented ticket is refused. */
    public static final String REJECTED_TICKET = "concord.ticket.rejected";
    static final String BY_TICKET = "ticket";

    private final StreamTickets tickets;

    public TicketAuthenticationFetcher(StreamTickets tickets) {
        this.tickets = tickets;
    }

    @Override
    public Publisher<Authentication> fetchAuthentication(HttpRequest<?> request) {
        if (request.getMethod() != HttpMethod.GET) {
            return Publishers.empty();
        }
        String ticket = request.getParameters().get(PARAMETER);
        if (ticket == null) {
            return Publishers.empty();
        }
        return tickets.verify(ticket)
                .map(client -> Publishers.just(Authentication.build(client.id(), client.grants().sorted(),
                        Map.of(ClientResolver.AUTHENTICATED_BY, BY_TICKET))))
                .orElseGet(() -> {
                    request.setAttribute(REJECTED_TICKET, Boolean.TRUE);
                    return Publishers.empty();
                });
    }
}
