package dev.concord.contract.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.concord.contract.json.Violation;
import java.util.List;

/**
 * An RFC 9457 problem detail ({@code application/problem+json}), the one error shape of every
 * Concord HTTP API. {@code errors} lists each offending field with what was expected there; it is always
 * present (empty when no single field is at fault), and only {@code instance} may be left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://concord.dev/problems/";

    /** One offending field: its path for humans, its JSON Pointer, what was expected and what was found. */
    public record FieldError(String field, String pointer, String expected, String actual) {
        public static FieldError of(Violation violation) {
            return new FieldError(violation.field(), violation.pointer(), violation.expected(), violation.actual());
        }
    }

    /** @param slug short machine-readable kind, e.g. {@code invalid-payload}; becomes the type URI */
    public static Problem of(String slug, String title, int status, String detail, List<FieldError> errors) {
        return new Problem(TYPE_BASE + slug, title, status, detail, null, errors == null ? List.of() : List.copyOf(errors));
    }

    public Problem at(String instance) {
        return new Problem(type, title, status, detail, instance, errors);
    }
}
