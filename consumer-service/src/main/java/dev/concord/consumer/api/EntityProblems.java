package dev.concord.consumer.api;

import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.problem.Problem;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import java.util.List;

/** The {@code application/problem+json} answers of the read API, each saying what the caller can do. */
public final class EntityProblems {

    private EntityProblems() {
    }

    static HttpResponse<Problem> unknownType(String type, List<String> known, String path) {
        String expected = "one of " + String.join(", ", known);
        return respond(Problem.of("unknown-entity-type", "Unknown entity type", 404,
                "This replica serves the entity types " + String.join(", ", known) + "; '" + type + "' is not one of them.",
                List.of(new Problem.FieldError("type", null, expected, "\"" + type + "\""))).at(path));
    }

    static HttpResponse<Problem> notFound(String type, String id, String path) {
        return respond(Problem.of("entity-not-found", "Entity not found", 404,
                "This replica holds no " + type + " with id '" + id + "'.", List.of()).at(path));
    }

    static HttpResponse<Problem> deleted(String type, String id, long version, String path) {
        return respond(Problem.of("entity-not-found", "Entity deleted", 404,
                "The " + type + " with id '" + id + "' was deleted (version " + version + ").", List.of()).at(path));
    }

    static HttpResponse<Problem> badParameter(String field, String expected, String actual, String path) {
        return respond(Problem.of("invalid-parameter", "Invalid parameter", 400,
                "Parameter '" + field + "' must be " + expected + ".",
                List.of(new Problem.FieldError(field, null, expected, actual))).at(path));
    }

    static HttpResponse<Problem> invalidEntityId(String field, EntityIdGrammar.Violation violation, String path) {
        return respond(Problem.of("invalid-entity-id", "Invalid entity id", 400,
                violation.detail() + " Entity ids are " + EntityIdGrammar.RULE + ".",
                List.of(new Problem.FieldError(field, null, EntityIdGrammar.RULE, violation.found()))).at(path));
    }

    static HttpResponse<Problem> cursorGone(String reason, String store, long after, String path) {
        String expected = "a cursor this replica's store ('" + store + "') can still serve; resync: list the entities again "
                + "(GET /v1/entities/{type}) and follow the feed after the listing's changeSeq with store=" + store;
        return respond(Problem.of("cursor-gone", "Cursor can no longer be served", 410,
                "This replica cannot resume the change feed after your cursor without a gap: " + reason
                        + ". Resync: list the entities again, then follow the feed after the listing's changeSeq, with store=" + store + ".",
                List.of(new Problem.FieldError("after", null, expected, String.valueOf(after)))).at(path));
    }

    static HttpResponse<Problem> tooManyStreams(String detail, String path) {
        return respond(Problem.of("too-many-streams", "Too many streams", 503, detail, List.of()).at(path))
                .header("Retry-After", "5");
    }

    static HttpResponse<Problem> notParked(String type, String id, String path) {
        return respond(Problem.of("not-parked", "Entity not parked", 404,
                "The " + type + " with id '" + id + "' is not parked in this replica.", List.of()).at(path));
    }

    static HttpResponse<Problem> storeUnavailable(String path) {
        return respond(Problem.of("store-unavailable", "Store unavailable", 503,
                "The replica's database cannot be reached right now; retry shortly.", List.of()).at(path));
    }

    static HttpResponse<Problem> notYetConsistent(String header, java.time.Duration waited, String path) {
        return respond(Problem.of("not-yet-consistent", "Replica not yet consistent", 503,
                "This replica did not reflect the writes of your " + header + " token within " + waited.toSeconds()
                        + " s (not decided yet, or the replica is behind). Retry after Retry-After seconds, or read another replica.",
                List.of(new Problem.FieldError(header, null, "writes this replica has applied", "writes not applied here yet"))).at(path))
                .header("Retry-After", "1");
    }

    private static MutableHttpResponse<Problem> respond(Problem problem) {
        return HttpResponse.<Problem>status(HttpStatus.valueOf(problem.status())).body(problem).contentType(Problem.MEDIA_TYPE);
    }
}
