package dev.concord.security;

import dev.concord.contract.problem.Problem;
import dev.concord.contract.settings.Settings;
import dev.concord.contract.text.LogSafe;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a WebSocket handshake whose {@code Origin} is not allowed, before anything else sees it: a
 * browser sends cookies and tickets from any page it visits, so a hostile page must not be able to open a
 * socket to Concord in its visitor's name (cross-site WebSocket hijacking). Allowed: the same origin
 * (the {@code Origin}'s host and port equal the {@code Host} the request was sent to), and the origins
 * listed in {@code concord.security.allowed-origins} (e.g. {@code https://app.example.com}). A handshake
 * without {@code Origin} comes from a non-browser client, which proves itself with credentials instead.
 */
@ServerFilter("/**")
public class WebSocketOriginFilter {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketOriginFilter.class);

    private final List<String> allowedOrigins;

    @Inject
    public WebSocketOriginFilter(Settings settings) {
        this(List.of(settings.text("concord.security.allowed-origins", "").split(",")));
    }

    WebSocketOriginFilter(List<String> allowedOrigins) {
        this.allowedOrigins = allowedOrigins.stream().map(o -> o.trim().toLowerCase(Locale.ROOT)).filter(o -> !o.isEmpty()).toList();
    }

    @RequestFilter
    @Nullable
    public MutableHttpResponse<?> checkOrigin(HttpRequest<?> request) {
        String upgrade = request.getHeaders().get(HttpHeaders.UPGRADE);
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            return null;
        }
        String origin = request.getHeaders().get(HttpHeaders.ORIGIN);
        if (origin == null || allowed(origin, request.getHeaders().get(HttpHeaders.HOST))) {
            return null;
        }
        LOG.info("WebSocket handshake to {} refused: origin {} is not allowed", LogSafe.of(request.getPath()), LogSafe.of(origin));
        return HttpResponse.status(HttpStatus.FORBIDDEN).contentType(Problem.MEDIA_TYPE).body(Problem.of("origin-not-allowed",
                "Origin not allowed", 403, "WebSocket connections are accepted from this service's own origin and from"
                        + " concord.security.allowed-origins only.",
                List.of(new Problem.FieldError("Origin", null, "the same origin or an allowed origin", origin))).at(request.getPath()));
    }

    boolean allowed(String origin, @Nullable String host) {
        String normalized = origin.trim().toLowerCase(Locale.ROOT);
        if (allowedOrigins.contains(normalized)) {
            return true;
        }
        if (host == null) {
            return false;
        }
        try {
            URI uri = URI.create(normalized);
            if (uri.getHost() == null) {
                return false;
            }
            int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
            String hostHeader = host.trim().toLowerCase(Locale.ROOT);
            String originHostPort = uri.getHost() + ":" + port;
            return hostHeader.equals(originHostPort) || (hostHeader.equals(uri.getHost()) && (port == 80 || port == 443));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
