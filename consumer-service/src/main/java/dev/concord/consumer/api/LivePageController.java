package dev.concord.consumer.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code /} and {@code /live} lead to the live page ({@code /live/index.html}, a static resource under
 * {@code src/main/resources/public}), keeping the {@code type} it shows (default {@code customer}).
 */
@Controller
public class LivePageController {

    @Get("/")
    public HttpResponse<?> root(@Nullable @QueryValue String type) {
        return live(type);
    }

    @Get("/live")
    public HttpResponse<?> live(@Nullable @QueryValue String type) {
        String query = type == null || type.isBlank() ? "" : "?type=" + URLEncoder.encode(type, StandardCharsets.UTF_8);
        return HttpResponse.seeOther(URI.create("/live/index.html" + query));
    }
}
