package dev.concord.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.authentication.Authentication;
import java.util.Map;

/** A read door as the services have them: the type is in the path, the read grant is checked in code. */
@Controller("/v1/things")
class ReadOnlyTestController {

    private final AccessPolicy access;

    ReadOnlyTestController(AccessPolicy access) {
        this.access = access;
    }

    @Get("/{type}")
    Map<String, String> read(String type, @Nullable Authentication authentication) {
        Client client = access.require(authentication, type, Action.READ, "type");
        return Map.of("client", client.id(), "type", type);
    }
}
