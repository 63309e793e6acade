package dev.concord.processor.query;

import dev.concord.security.ApiKeyAuthenticationFetcher;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/** The credential headers of a state query, passed on unchanged when the query is forwarded to the key's owner. */
record Credentials(Map<String, String> headers) {

    static Credentials of(HttpRequest<?> request) {
        Map<String, String> headers = new LinkedHashMap<>();
        request.getHeaders().findFirst(ApiKeyAuthenticationFetcher.HEADER).ifPresent(key -> headers.put(ApiKeyAuthenticationFetcher.HEADER, key));
        request.getHeaders().findFirst(HttpHeaders.AUTHORIZATION).ifPresent(auth -> headers.put(HttpHeaders.AUTHORIZATION, auth));
        return new Credentials(Map.copyOf(headers));
    }
}
