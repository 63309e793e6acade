package dev.concord.producer;

import static dev.concord.producer.RawHttp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.testsupport.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input, endpoint by endpoint, as an attacker or a careless client sends it (raw bytes over a
 * socket, so nothing is cleaned up on the way): every case is a 4xx {@code application/problem+json}
 * naming the field and what was expected — never a 500, never a hang — and nothing reaches the events
 * topics. The cases are those of issue 10's "Why" list that producer-service owns (invalid UTF-8, NUL and
 * control characters in ids, deep nesting, huge numbers, U+0000 in values, bodies over the limit, invalid
 * header values) and their neighbours.
 */
@ExtendWith(KafkaBrokerExtension.class)
class HostileInputTest {

    private static final String ENTITY = "/v1/entities/customer/";
    private static final String VALID_PUT = "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}";
    private static final String VALID_PATCH = "{\"email\": \"ada@example.org\"}";
    private static final String DEEP = "[".repeat(20_000) + "]".repeat(20_000);
    private static final String HUGE_NUMBER = "9".repeat(6_000);

    @RegisterExtension
    static final RunningProducerService service = RunningProducerService.perTestClass();
    private EventTopicsEnd before;

    /** One hostile request and the refusal it must get. {@code field}: the name the problem gives the culprit. */
    record Case(String name, String method, String target, byte[] body, List<byte[]> headers, int status, String slug, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeEach
    void rememberEventTopicsEnd() {
        before = EventTopicsEnd.now(service.admin());
    }

    @AfterEach
    void assertNothingReachedTheEventTopics() {
        assertThat(EventTopicsEnd.now(service.admin())).as("events topics' end offsets after a refused request").isEqualTo(before);
    }

    static Stream<Arguments> putCases() {
        return Stream.concat(pathAndHeaderCases("PUT", VALID_PUT, "application/json"), bodyCases("PUT", "application/json"))
                .map(Arguments::of);
    }

    static Stream<Arguments> patchCases() {
        return Stream.concat(pathAndHeaderCases("PATCH", VALID_PATCH, "application/merge-patch+json"),
                bodyCases("PATCH", "application/merge-patch+json")).map(Arguments::of);
    }

    static Stream<Arguments> deleteCases() {
        return pathAndHeaderCases("DELETE", null, null).map(Arguments::of);
    }

    @ParameterizedTest(name = "PUT: {0}")
    @MethodSource("putCases")
    void shouldRefusePutWithAProblemNamingTheField(Case c) {
        assertRefused(c);
    }

    @ParameterizedTest(name = "PATCH: {0}")
    @MethodSource("patchCases")
    void shouldRefusePatchWithAProblemNamingTheField(Case c) {
        assertRefused(c);
    }

    @ParameterizedTest(name = "DELETE: {0}")
    @MethodSource("deleteCases")
    void shouldRefuseDeleteWithAProblemNamingTheField(Case c) {
        assertRefused(c);
    }

    static Stream<Arguments> batchBodyCases() {
        String json = "application/json";
        return Stream.of(
                batch("20,000 levels of nesting", "[" + DEEP + "]", 400, "json-limit-exceeded", "(body)"),
                batch("a 6,000-digit number", "[{\"op\": \"DELETE\", \"type\": \"order\", \"id\": \"o-1\", \"ifMatch\": "
                        + HUGE_NUMBER + "}]", 400, "json-limit-exceeded", "[0].ifMatch"),
                new Case("invalid UTF-8 in the body", "POST", "/v1/events",
                        bytes("[{\"op\": \"UPSERT\", \"type\": \"customer\", \"id\": \"c-1\", \"data\": {\"name\": \"A", 0xFF,
                                "\", \"email\": \"a@b.c\"}}]"), headers("Content-Type: " + json), 400, "malformed-json", "[0].data.name"),
                batch("a body over the limit", "[" + "{\"op\": \"DELETE\", \"type\": \"order\", \"id\": \"o-1\"},".repeat(25_000)
                        + "{}]", 413, "request-entity-too-large", "(body)"),
                batch("not an array", "{\"op\": \"DELETE\"}", 400, "not-a-json-array", "(body)")).map(Arguments::of);
    }

    @ParameterizedTest(name = "POST /v1/events: {0}")
    @MethodSource("batchBodyCases")
    void shouldRefuseAHostileBatchWholeWithAProblemNamingTheField(Case c) {
        assertRefused(c);
    }

    static Stream<Arguments> batchItemCases() {
        String upsert = "{\"op\": \"UPSERT\", \"type\": \"customer\", \"id\": %s, \"data\": {\"name\": \"Ada\", \"email\": \"a@b.c\"}}";
        String delete = "{\"op\": \"DELETE\", \"type\": \"order\", \"id\": \"o-1\", %s}";
        return Stream.of(
                item("NUL in the id", upsert.formatted("\"a\\u0000b\""), 400, "invalid-entity-id", "id"),
                item("CR LF in the id", upsert.formatted("\"a\\r\\nb\""), 400, "invalid-entity-id", "id"),
                item("a replacement character in the id", upsert.formatted("\"a\\uFFFDb\""), 400, "invalid-entity-id", "id"),
                item("an unpaired surrogate in the id", upsert.formatted("\"a\\uD800b\""), 400, "invalid-entity-id", "id"),
                item("a bidi override in the id", upsert.formatted("\"a\\u202Eb\""), 400, "invalid-entity-id", "id"),
                item("a whitespace-only id", upsert.formatted("\"   \""), 400, "invalid-entity-id", "id"),
                item("an id over 256 characters", upsert.formatted("\"" + "x".repeat(257) + "\""), 400, "invalid-entity-id", "id"),
                item("an id that is not a string", upsert.formatted("42"), 400, "invalid-batch-item", "id"),
                item("NUL in a string value", "{\"op\": \"UPSERT\", \"type\": \"customer\", \"id\": \"c-1\", \"data\":"
                        + " {\"name\": \"A\\u0000da\", \"email\": \"a@b.c\"}}", 422, "invalid-payload", "name"),
                item("NUL in a nested array's record", "{\"op\": \"UPSERT\", \"type\": \"order\", \"id\": \"o-1\", \"data\":"
                        + " {\"customerId\": \"c-1\", \"status\": \"PAID\", \"currency\": \"EUR\", \"totalCents\": 1,"
                        + " \"lines\": [{\"sku\": \"b\\u0000k\", \"quantity\": 1, \"unitPriceCents\": 1}]}}", 422, "invalid-payload",
                        "lines[0].sku"),
                item("NUL in a patched nested field", "{\"op\": \"PATCH\", \"type\": \"customer\", \"id\": \"c-1\", \"patch\":"
                        + " {\"address\": {\"street\": \"x\\u0000\", \"city\": \"c\", \"postalCode\": \"p\", \"country\": \"FR\"}}}",
                        422, "invalid-payload", "address.street"),
                item("NUL in the type", "{\"op\": \"DELETE\", \"type\": \"cust\\u0000omer\", \"id\": \"c-1\"}", 404,
                        "unknown-entity-type", "type"),
                item("an unknown op", "{\"op\": \"DROP\", \"type\": \"customer\", \"id\": \"c-1\"}", 400, "invalid-batch-item", "op"),
                item("an ifMatch that is not a version", delete.formatted("\"ifMatch\": \"abc\""), 400, "invalid-batch-item", "ifMatch"),
                item("an ifMatch over a long", delete.formatted("\"ifMatch\": 99999999999999999999"), 400, "invalid-batch-item", "ifMatch"),
                item("a control character in the idempotency key", delete.formatted("\"idempotencyKey\": \"k\\u0001\""), 400,
                        "invalid-batch-item", "idempotencyKey"),
                item("a malformed clock", delete.formatted("\"clock\": {\"physicalMillis\": \"soon\"}"), 400, "invalid-batch-item", "clock"),
                item("CR LF in the writer", delete.formatted("\"writer\": \"w\\r\\nINFO forged\""), 400, "invalid-header", "writer"))
                .map(Arguments::of);
    }

    /** A batch of one hostile item: the batch answers 207, the item its own 4xx problem naming the field. */
    @ParameterizedTest(name = "POST /v1/events item: {0}")
    @MethodSource("batchItemCases")
    void shouldRefuseAHostileBatchItemWithAProblemNamingTheField(Case c) {
        RawHttp.Response response = RawHttp.send(service.port(), c.method(), ascii(c.target()), c.body(), withKey(c.headers()));

        assertThat(response.status()).as(response.text()).isEqualTo(207);
        JsonNode result = response.json().path("results").get(0);
        assertThat(result.path("status").asInt()).as(result.toString()).isEqualTo(c.status());
        assertProblem(result.path("problem"), c);
    }

    static Stream<Arguments> otherRouteCases() {
        return Stream.of(
                new Case("GET on an entity (no such method)", "GET", ENTITY + "c-1", null, List.of(), 405, "method-not-allowed", "(method)"),
                new Case("PUT as text/plain", "PUT", ENTITY + "c-1", ascii(VALID_PUT), headers("Content-Type: text/plain"), 415,
                        "unsupported-media-type", "Content-Type"),
                new Case("an unknown route", "POST", "/v1/nothing-here", ascii("{}"), headers("Content-Type: application/json"), 404,
                        "not-found", "(path)"),
                new Case("a path segment after the id", "PUT", ENTITY + "c-1/more", ascii(VALID_PUT),
                        headers("Content-Type: application/json"), 404, "not-found", "(path)"),
                new Case("CR LF and NUL in an unknown route", "GET", "/v1/%0D%0AINFO%20forged%00", null, List.of(), 404,
                        "not-found", "(path)")).map(Arguments::of);
    }

    @ParameterizedTest(name = "other routes: {0}")
    @MethodSource("otherRouteCases")
    void shouldAnswerEveryOtherRouteWithAProblem(Case c) {
        assertRefused(c);
    }

    // --- the cases -------------------------------------------------------------------------------------

    /** Cases in the path and the headers: the same for every single-entity method. */
    private static Stream<Case> pathAndHeaderCases(String method, String body, String contentType) {
        byte[] validBody = body == null ? null : ascii(body);
        List<byte[]> base = contentType == null ? List.of() : headers("Content-Type: " + contentType);
        List<Case> cases = new ArrayList<>();
        String invalidId = "invalid-entity-id";
        for (String[] id : new String[][]{
                {"invalid UTF-8 in the id", "a%FFb"},
                {"an overlong UTF-8 encoding in the id", "a%C0%AFb"},
                {"a UTF-8 encoded surrogate in the id", "a%ED%A0%80b"},
                {"a truncated UTF-8 sequence in the id", "a%E2%80"},
                {"a replacement character in the id", "a%EF%BF%BDb"},
                {"NUL in the id", "a%00b"},
                {"CR LF in the id", "a%0D%0AINFO%20forged"},
                {"DEL in the id", "a%7Fb"},
                {"a C1 control in the id", "a%C2%85b"},
                {"a bidi override in the id", "a%E2%80%AEb"},
                {"a line separator in the id", "a%E2%80%A8b"},
                {"a whitespace-only id", "%20%20%20"},
                {"an id over 256 characters", "x".repeat(257)}}) {
            cases.add(new Case(id[0], method, ENTITY + id[1], validBody, base, 400, invalidId, "id"));
        }
        // Micronaut refuses a malformed escape before routing: still a problem, naming the request.
        cases.add(new Case("a malformed percent escape in the id", method, ENTITY + "a%zzb", validBody, base, 400, "bad-request",
                "(request)"));
        cases.add(new Case("NUL in the type", method, "/v1/entities/cust%00omer/c-1", validBody, base, 404, "unknown-entity-type", "type"));
        cases.add(new Case("an If-Match that is not a version", method, ENTITY + "c-1", validBody,
                plus(base, "If-Match: \"abc\""), 400, "invalid-header", "If-Match"));
        cases.add(new Case("an If-Match over a long", method, ENTITY + "c-1", validBody,
                plus(base, "If-Match: \"" + "9".repeat(40) + "\""), 400, "invalid-header", "If-Match"));
        cases.add(new Case("a non-ASCII Idempotency-Key", method, ENTITY + "c-1", validBody,
                plus(base, "Idempotency-Key: k\u00e9y"), 400, "invalid-header", "Idempotency-Key"));
        cases.add(new Case("an Idempotency-Key over 255 characters", method, ENTITY + "c-1", validBody,
                plus(base, "Idempotency-Key: " + "k".repeat(256)), 400, "invalid-header", "Idempotency-Key"));
        cases.add(new Case("a malformed X-Concord-Clock", method, ENTITY + "c-1", validBody,
                plus(base, "X-Concord-Clock: soon"), 400, "invalid-header", "X-Concord-Clock"));
        cases.add(new Case("a X-Concord-Writer with spaces", method, ENTITY + "c-1", validBody,
                plus(base, "X-Concord-Writer: w INFO forged"), 400, "invalid-header", "X-Concord-Writer"));
        return cases.stream();
    }

    /** Cases in the body (PUT and PATCH). */
    private static Stream<Case> bodyCases(String method, String contentType) {
        List<byte[]> base = headers("Content-Type: " + contentType);
        String target = ENTITY + "c-1";
        boolean put = method.equals("PUT");
        String email = put ? ", \"email\": \"a@b.c\"" : "";
        return Stream.of(
                new Case("20,000 levels of nesting", method, target, ascii("{\"name\": " + DEEP + "}"), base, 400,
                        "json-limit-exceeded", "(body)"),
                new Case("a 6,000-digit number", method, target, ascii("{\"name\": " + HUGE_NUMBER + email + "}"), base, 400,
                        "json-limit-exceeded", "name"),
                new Case("a 6,000-digit fraction", method, target, ascii("{\"name\": 0." + HUGE_NUMBER + email + "}"), base, 400,
                        "json-limit-exceeded", "name"),
                new Case("invalid UTF-8 in the body", method, target, bytes("{\"name\": \"A", 0xC3, "\"" + email + "}"), base, 400,
                        "malformed-json", "name"),
                new Case("NUL in a string value", method, target, ascii("{\"name\": \"A\\u0000da\"" + email + "}"), base, 422,
                        "invalid-payload", "name"),
                new Case("NUL in a nested record's field", method, target, ascii("{\"address\": {\"street\": \"s\\u0000\", \"city\": \"c\","
                        + " \"postalCode\": \"p\", \"country\": \"FR\"}" + (put ? ", \"name\": \"Ada\"" + email : "") + "}"), base, 422,
                        "invalid-payload", "address.street"),
                new Case("an unpaired surrogate in a string value", method, target, ascii("{\"name\": \"A\\uD800\"" + email + "}"), base,
                        422, "invalid-payload", "name"),
                new Case("a body over the limit", method, target, ascii("{\"name\": \"" + "x".repeat(1_000_000) + "\"" + email + "}"),
                        base, 413, "request-entity-too-large", "(body)"),
                new Case("a JSON array instead of an object", method, target, ascii("[1]"), base, 400, "not-a-json-object", "(body)"),
                // JSON is UTF-8 (RFC 8259); the parser would guess UTF-32 from these and fail outside JSON's errors (a 500)
                new Case("a body Jackson takes for UTF-32 in an odd byte order", method, target, new byte[] {0, 0, '{', 0}, base, 400,
                        "malformed-json", "(body)"),
                new Case("a UTF-32 code point above U+10FFFF", method, target, new byte[] {0, 0, 0, '{', 0, 0x11, 0, 0}, base, 400,
                        "malformed-json", "(body)"),
                new Case("a UTF-16 body", method, target, ("{\"name\": \"Ada\"" + email + "}").getBytes(StandardCharsets.UTF_16BE),
                        base, 400, "malformed-json", "(body)"));
    }

    // --- helpers ---------------------------------------------------------------------------------------

    private static void assertRefused(Case c) {
        RawHttp.Response response = RawHttp.send(service.port(), c.method(), ascii(c.target()), c.body(), withKey(c.headers()));

        assertThat(response.status()).as(response.text()).isEqualTo(c.status());
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertProblem(response.json(), c);
    }

    private static void assertProblem(JsonNode problem, Case c) {
        assertThat(problem.path("type").asText()).as(problem.toString()).isEqualTo("https://concord.dev/problems/" + c.slug());
        assertThat(problem.path("status").asInt()).isEqualTo(c.status());
        assertThat(problem.path("detail").asText()).isNotBlank();
        assertThat(problem.path("errors").findValuesAsText("field")).as(problem.toString()).contains(c.field());
        assertThat(problem.path("errors").findValuesAsText("expected")).as(problem.toString()).allMatch(e -> !e.isBlank());
    }

    private static Case batch(String name, String body, int status, String slug, String field) {
        return new Case(name, "POST", "/v1/events", ascii(body), headers("Content-Type: application/json"), status, slug, field);
    }

    private static Case item(String name, String item, int status, String slug, String field) {
        return batch(name, "[" + item + "]", status, slug, field);
    }

    private static List<byte[]> withKey(List<byte[]> headers) {
        return plus(headers, "X-Api-Key: " + RunningProducerService.KEY_ALL);
    }

    private static List<byte[]> headers(String... lines) {
        return Stream.of(lines).map(l -> l.getBytes(StandardCharsets.UTF_8)).toList();
    }

    private static List<byte[]> plus(List<byte[]> headers, String line) {
        List<byte[]> all = new ArrayList<>(headers);
        all.add(line.getBytes(StandardCharsets.UTF_8));
        return all;
    }

    /** Text with raw (possibly invalid UTF-8) bytes in the middle. */
    private static byte[] bytes(String before, int raw, String after) {
        byte[] a = ascii(before);
        byte[] b = ascii(after);
        byte[] all = new byte[a.length + 1 + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        all[a.length] = (byte) raw;
        System.arraycopy(b, 0, all, a.length + 1, b.length);
        return all;
    }
}
