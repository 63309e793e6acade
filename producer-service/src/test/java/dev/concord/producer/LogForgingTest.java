package dev.concord.producer;

import static dev.concord.producer.RawHttp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.testsupport.KafkaBrokerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No input can forge a log line: user text that reaches a log (path segments, header values, the JWT
 * subject) is escaped, so a CR/LF or another line break in it never starts a line of its own. Reads the
 * log file logback-test.xml writes — the bytes an operator would read — not the logger's arguments.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LogForgingTest {

    private static final Path LOG = Path.of("target/producer-service-test.log");
    @RegisterExtension
    static final RunningProducerService service = RunningProducerService.perTestClass();
    private String marker;

    @BeforeEach
    void newMarker() {
        marker = "FORGED-" + UUID.randomUUID();
    }

    @Test
    void shouldNotForgeALineWhenAnIdPathSegmentHoldsCrLf() {
        // When
        RawHttp.Response response = RawHttp.send(service.port(), "PUT",
                ascii("/v1/entities/customer/c-1%0D%0A12:00:00.000%20ERROR%20%5Bmain%5D%20" + marker), ascii("{}"),
                headers("Content-Type: application/json", "X-Api-Key: " + RunningProducerService.KEY_ALL));

        // Then
        assertThat(response.status()).isEqualTo(400);
        assertMarkerLoggedOnlyInsideOtherLines();
    }

    @Test
    void shouldNotForgeALineWhenATypePathSegmentHoldsCrLfOrALineSeparator() {
        RawHttp.Response response = RawHttp.send(service.port(), "DELETE",
                ascii("/v1/entities/customer%0A12:00:00.000%20ERROR%20" + marker + "%E2%80%A8x/c-1"), null,
                headers("X-Api-Key: " + RunningProducerService.KEY_ALL));

        assertThat(response.status()).isEqualTo(404);
        assertMarkerLoggedOnlyInsideOtherLines();
    }

    @Test
    void shouldNotForgeALineWhenAHeaderValueHoldsANextLineCharacter() {
        // Given: CR and LF cannot be inside a header value (they end it), but U+0085 (NEL), a line break to
        // many log viewers, arrives as the obs-text byte 0x85; X-Request-Id is the header a log line names
        byte[] requestId = concat(ascii("X-Request-Id: r-1"), new byte[]{(byte) 0x85}, ascii("12:00:00.000 ERROR " + marker));

        // When
        RawHttp.Response response = RawHttp.send(service.port(), "POST", ascii("/v1/events"),
                ascii("[{\"op\": \"DELETE\", \"type\": \"customer\", \"id\": \"c-1\"}]"),
                List.of(requestId, ascii("Content-Type: application/json"), ascii("X-Api-Key: " + RunningProducerService.KEY_ALL)));

        // Then: the batch was logged, and no line begins with what the header carried
        assertThat(response.status()).isEqualTo(207);
        assertThat(logLines()).anyMatch(line -> line.contains("Batch ") && line.contains("from client 'tester'"));
        assertThat(logLines()).noneMatch(line -> line.startsWith("12:00:00.000 ERROR " + marker));
    }

    @Test
    void shouldRefuseAJwtWhoseSubjectHoldsCrLfAndForgeNoLine() throws Exception {
        // Given: a validly signed token whose subject carries a line break
        String token = RunningProducerService.jwt("app\r\n12:00:00.000 ERROR [main] " + marker, List.of("customer:write"), Instant.now().plusSeconds(300));

        // When: it is presented where the client would be named in a log line and in a refusal's detail
        RawHttp.Response batch = RawHttp.send(service.port(), "POST", ascii("/v1/events"),
                ascii("[{\"op\": \"DELETE\", \"type\": \"customer\", \"id\": \"c-1\"}]"),
                headers("Content-Type: application/json", "Authorization: Bearer " + token));
        RawHttp.Response forbidden = RawHttp.send(service.port(), "DELETE", ascii("/v1/entities/order/o-1"), null,
                headers("Authorization: Bearer " + token));

        // Then: a subject is a client id, which has no control characters: the token names no usable client
        assertThat(batch.status()).isEqualTo(401);
        assertThat(forbidden.status()).isEqualTo(401);
        assertThat(logLines()).as("no line begun by the input").noneMatch(line -> line.startsWith("12:00:00.000"));
    }

    /** The marker was logged (escaped), and every line holding it is a whole log line, not one an input began. */
    private void assertMarkerLoggedOnlyInsideOtherLines() {
        List<String> lines = logLines().stream().filter(line -> line.contains(marker)).toList();
        assertThat(lines).as("log lines mentioning the input").isNotEmpty();
        assertThat(lines).as("lines an input may have started").allSatisfy(line -> {
            assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} [A-Z]+ +\\[[^]]+\\] \\S+ - .*");
            assertThat(line).doesNotStartWith("12:00:00.000").doesNotContain("\u0085").doesNotContain("\u2028");
        });
    }

    private static List<String> logLines() {
        try {
            // Lines as a log viewer splits them: at CR, LF, NEL and the Unicode line separators.
            return List.of(Files.readString(LOG, StandardCharsets.UTF_8).split("\r\n|[\r\n\u0085\u2028\u2029]"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    private static List<byte[]> headers(String... lines) {
        return java.util.Arrays.stream(lines).map(RawHttp::ascii).toList();
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
