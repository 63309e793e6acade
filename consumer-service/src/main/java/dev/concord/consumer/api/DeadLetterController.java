package dev.concord.consumer.api;

import dev.concord.consumer.store.DeadLetterReader.StoredDeadLetter;
import dev.concord.consumer.store.DeadLetterReader;
import dev.concord.replica.store.StoreException;
import dev.concord.security.AccessPolicy;
import dev.concord.security.Action;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.authentication.Authentication;
import java.util.Base64;
import java.util.List;

/**
 * {@code GET /v1/replica/dead-letters?after=<id>&limit=<n>}: the records this replica could not store
 * ({@code replica_dead_letter}), oldest first, {@code {deadLetters:[...], next:<id or null>}}. The original
 * key and value are base64 ({@code key}, {@code value}). An operator endpoint: it shows raw records of
 * every type — including records whose type or key could not be read — so it needs the grant
 * {@code *:admin}. How to replay: docs/operations.md.
 */
@Controller("/v1/replica/dead-letters")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DeadLetterController {

    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    /** One dead letter as JSON. */
    public record DeadLetterView(long id, String type, String entityId, String topic, Integer partition, Long offset,
                                 Long version, String reason, String key, String value, String deadLetteredAt) {

        static DeadLetterView of(StoredDeadLetter letter) {
            return new DeadLetterView(letter.id(), letter.entityType(), letter.entityId(), letter.topic(), letter.partition(),
                    letter.offset(), letter.version(), letter.reason(), base64(letter.key()), base64(letter.value()),
                    letter.deadLetteredAt() == null ? null : letter.deadLetteredAt().toString());
        }

        private static String base64(byte[] bytes) {
            return bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
        }
    }

    /** A page of dead letters; {@code next} is null on the last page. */
    public record DeadLetterPage(List<DeadLetterView> deadLetters, Long next) {
    }

    private final DeadLetterReader reader;
    private final AccessPolicy access;

    DeadLetterController(DeadLetterReader reader, AccessPolicy access) {
        this.reader = reader;
        this.access = access;
    }

    @Get
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public HttpResponse<?> list(@Nullable @QueryValue Long after, @Nullable @QueryValue Integer limit, HttpRequest<?> request,
                                @Nullable Authentication authentication) {
        access.require(authentication, "*", Action.ADMIN, "(path)");
        if (after != null && after < 0) {
            return EntityProblems.badParameter("after", "a dead-letter id >= 0", String.valueOf(after), request.getPath());
        }
        if (limit != null && (limit < 1 || limit > MAX_PAGE)) {
            return EntityProblems.badParameter("limit", "between 1 and " + MAX_PAGE, String.valueOf(limit), request.getPath());
        }
        long from = after == null ? 0 : after;
        int pageSize = limit == null ? DEFAULT_PAGE : limit;
        List<StoredDeadLetter> letters = reader.after(from, pageSize + 1);
        boolean more = letters.size() > pageSize;
        List<StoredDeadLetter> page = more ? letters.subList(0, pageSize) : letters;
        return HttpResponse.ok(new DeadLetterPage(page.stream().map(DeadLetterView::of).toList(),
                more ? page.get(page.size() - 1).id() : null));
    }

    @Error(exception = StoreException.class)
    public HttpResponse<?> storeUnavailable(HttpRequest<?> request) {
        return EntityProblems.storeUnavailable(request.getPath());
    }
}
