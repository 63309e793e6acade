package dev.concord.producer.publish;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Serves the hand-written OpenAPI 3.1 document ({@code src/main/resources/openapi/producer-service.yml})
 * without credentials, at {@code /openapi.yaml} and {@code /swagger/producer-service.yml}. Hand-written
 * rather than generated: the API's contract (problem types, headers, the batch's 207 body) is what a
 * client needs, and a generator would describe raw String bodies.
 */
@Controller
@Secured(SecurityRule.IS_ANONYMOUS)
public class OpenApiController {

    static final String RESOURCE = "openapi/producer-service.yml";
    private static final String YAML = "application/yaml";

    private final String document;

    public OpenApiController() {
        try (InputStream in = OpenApiController.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            this.document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get(uri = "/openapi.yaml", produces = YAML)
    public HttpResponse<String> openApi() {
        return HttpResponse.ok(document).contentType(YAML);
    }

    @Get(uri = "/swagger/producer-service.yml", produces = YAML)
    public HttpResponse<String> swagger() {
        return openApi();
    }
}
