package dev.concord.producer.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.outcomes.ConsistencyToken;
import dev.concord.contract.outcomes.WaitPreference;
import dev.concord.producer.outcome.DecisionWaits;
import dev.concord.producer.outcome.WriteOutcomeView;
import dev.concord.contract.problem.Problem;
import dev.concord.contract.settings.Settings;
import dev.concord.contract.text.LogSafe;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.write.EventIds;
import dev.concord.producer.write.PublishFailedException;
import dev.concord.producer.write.RefusedException;
import dev.concord.producer.write.RequestIds;
import dev.concord.producer.write.RequestRefused;
import dev.concord.producer.write.StrictJsonReader;
import dev.concord.security.Client;
import dev.concord.security.ClientResolver;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/events}: many writes in one request, each judged on its own.
 *
 * <p>Body: a JSON array of items {@code {op, type, id, data | patch, ifMatch?, idempotencyKey?, clock?, writer?}}
 * ({@code op}: UPSERT with {@code data}, PATCH with {@code patch}, DELETE with neither). Answer: 207
 * Multi-Status with one result per item, in order: {@code status} 202 plus the receipt (event id,
 * partition, offset, clock), or the item's status plus its {@code problem} — exactly what the
 * single-entity request would have answered. Items are sent in array order, so items of one entity
 * keep their order; they are not atomic (some may be accepted while others are refused). A malformed
 * batch (not a JSON array, empty, more than {@code max-items}) is refused whole. With {@code Prefer: wait=N} each
 * accepted item waits for its decision (all at once): 200 with its {@code outcome}, 409/422 with the processor's refusal,
 * or 202 if none came in time. {@code consistencyToken} covers every accepted item (docs/consistency.md).
 */
@Controller("/v1/events")
@Context // its settings are checked at start-up, not at the first request
@ExecuteOn(TaskExecutors.BLOCKING)
@Secured(SecurityRule.IS_AUTHENTICATED)
public class BatchController {

    private static final Logger LOG = LoggerFactory.getLogger(BatchController.class);

    private final PublishService publishService;
    private final ClientResolver clients;
    private final RateLimiter rateLimiter;
    private final WriteMetrics metrics;
    private final int maxItems;
    private final DecisionWaits waits;

    public BatchController(PublishService publishService, ClientResolver clients, RateLimiter rateLimiter, WriteMetrics metrics,
                           Settings settings, DecisionWaits waits) {
        this.waits = waits;
        this.publishService = publishService;
        this.clients = clients;
        this.rateLimiter = rateLimiter;
        this.metrics = metrics;
        this.maxItems = settings.count("concord.batch.max-items", 500, 1, 100_000);
    }

    @Post(consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<Map<String, Object>>> publish(@Nullable @Body byte[] body,
                                                                       @Nullable @Header(RequestIds.HEADER) String requestId,
                                                                       @Nullable @Header(WaitPreference.PREFER) String prefer,
                                                                       @Nullable Authentication authentication) {
        Client client = clients.resolve(authentication);
        Optional<Duration> wait = waits.requested(prefer);
        ArrayNode items = StrictJsonReader.readArray(body);
        if (items.isEmpty() || items.size() > maxItems) {
            throw new RequestRefused(items.isEmpty() ? 400 : 413, Problem.of(items.isEmpty() ? "empty-batch" : "batch-too-large",
                    items.isEmpty() ? "Empty batch" : "Batch too large", items.isEmpty() ? 400 : 413,
                    "A batch holds 1 to " + maxItems + " events; this one has " + items.size() + ". Split it.",
                    List.of(new Problem.FieldError("(body)", "", "1 to " + maxItems + " items", items.size() + " items"))), Map.of());
        }
        rateLimiter.admit(client, items.size());
        String batchRequestId = RequestIds.fromHeaderOrNew(requestId);
        List<CompletableFuture<Map<String, Object>>> results = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            int index = i;
            CompletableFuture<Map<String, Object>> result;
            try {
                WriteCommand command = command(items.get(i), client, batchRequestId + "#" + i);
                result = publishService.publish(command).thenApply(outcome -> accepted(index, outcome));
                if (wait.isPresent()) {
                    // Every item waits at once, so the batch waits at most the asked time, not that per item.
                    result = result.thenCompose(receipt -> waits.await((String) receipt.get("eventId"), wait.get())
                            .thenApply(decided -> decided.map(d -> DecisionResponses.batchItem(receipt, d, "/v1/events#" + index))
                                    .orElse(receipt)));
                }
            } catch (RefusedException refused) {
                metrics.refused(WriteMetrics.Source.HTTP, refused.problem());
                result = CompletableFuture.completedFuture(refused(index, refused, "/v1/events"));
            }
            results.add(result.exceptionally(error -> refused(index, unwrap(error), "/v1/events")));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Map<String, Object>> all = results.stream().map(CompletableFuture::join).toList();
            // Accepted = published: an item sync-processor refused afterwards was accepted here, and is in its ledger.
            long accepted = all.stream().filter(r -> r.containsKey("eventId")).count();
            LOG.info("Batch {} from client '{}': {} of {} events accepted", LogSafe.of(batchRequestId), LogSafe.of(client.id()),
                    accepted, all.size());
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("accepted", accepted);
            response.put("refused", all.size() - accepted);
            response.put("results", all);
            if (accepted > 0) {
                response.put("consistencyToken", sessionToken(all));
            }
            MutableHttpResponse<Map<String, Object>> answer = HttpResponse.<Map<String, Object>>status(HttpStatus.MULTI_STATUS).body(response);
            return wait.isPresent() ? answer.header(WaitPreference.APPLIED, WaitPreference.applied(wait.get())) : answer;
        });
    }

    /** One token for every accepted item: a replica read with it reflects all of them (by version once decided). */
    private static String sessionToken(List<Map<String, Object>> results) {
        List<ConsistencyToken.Write> writes = new ArrayList<>();
        for (Map<String, Object> result : results) {
            if (result.get("outcome") instanceof WriteOutcomeView outcome) {
                writes.add(ConsistencyToken.Write.decided(outcome.entityType(), outcome.entityId(), outcome.version()));
            } else if (result.containsKey("eventId")) {
                writes.add(ConsistencyToken.Write.undecided((String) result.get("entityType"), (String) result.get("entityId"),
                        (String) result.get("eventId")));
            }
        }
        return ConsistencyToken.of(writes).text();
    }

    /** One item as a write command; a malformed item is a 400 for that item alone. */
    static WriteCommand command(JsonNode item, Client client, String requestId) {
        if (!item.isObject()) {
            throw RequestRefused.invalidItem("(item)", "an object {op, type, id, data | patch}", item.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        Operation op = operation(item.get("op"));
        String type = text(item, "type", "an entity type name");
        String id = text(item, "id", "an entity id");
        String bodyField = op == Operation.PATCH ? "patch" : op == Operation.UPSERT ? "data" : null;
        JsonNode body = null;
        if (bodyField != null) {
            body = item.get(bodyField);
            if (body == null || body.isNull()) {
                throw RequestRefused.invalidItem(bodyField, "a JSON object (" + op + " needs '" + bodyField + "')", "nothing");
            }
        }
        for (String other : List.of("data", "patch")) {
            if (!other.equals(bodyField) && item.has(other)) {
                throw RequestRefused.invalidItem(other, "absent for " + op + (bodyField == null ? "" : " (it takes '" + bodyField + "')"), "a value");
            }
        }
        Long expectedVersion = version(item.get("ifMatch"));
        String key = item.hasNonNull("idempotencyKey") ? item.get("idempotencyKey").asText() : null;
        if (key != null && !EventIds.validKey(key)) {
            throw RequestRefused.invalidItem("idempotencyKey", EventIds.KEY_RULE, "\"" + key + "\"");
        }
        WriteCommand.ServerFields serverFields = null;
        if (item.hasNonNull("clock") || item.hasNonNull("writer")) {
            HlcTimestamp clock = item.hasNonNull("clock") ? clock(item.get("clock")) : null;
            String writer = item.hasNonNull("writer") ? RequestHeaders.writer(item.get("writer").asText(), "writer") : null;
            serverFields = new WriteCommand.ServerFields(clock, writer, "clock", "writer");
        }
        return new WriteCommand(op, type, id, null, body, expectedVersion, key, serverFields, client, requestId,
                bodyField == null ? "(item)" : bodyField);
    }

    private static Operation operation(JsonNode op) {
        String name = op == null || !op.isTextual() ? null : op.asText().toUpperCase(Locale.ROOT);
        if ("PUT".equals(name)) {
            return Operation.UPSERT;
        }
        for (Operation candidate : Operation.values()) {
            if (candidate.name().equals(name)) {
                return candidate;
            }
        }
        throw RequestRefused.invalidItem("op", "one of UPSERT, PATCH, DELETE", op == null ? "nothing" : op.toString());
    }

    private static String text(JsonNode item, String field, String expected) {
        JsonNode value = item.get(field);
        if (value == null || !value.isTextual()) {
            throw RequestRefused.invalidItem(field, expected + " (a string)", value == null ? "nothing" : value.toString());
        }
        return value.asText();
    }

    private static Long version(JsonNode ifMatch) {
        if (ifMatch == null || ifMatch.isNull()) {
            return null;
        }
        if (ifMatch.isIntegralNumber() && ifMatch.canConvertToLong() && ifMatch.longValue() >= 0) {
            return ifMatch.longValue();
        }
        if (ifMatch.isTextual() && ifMatch.asText().matches("\"?\\d{1,18}\"?")) {
            return Long.parseLong(ifMatch.asText().replace("\"", ""));
        }
        throw RequestRefused.invalidItem("ifMatch", "a version number >= 0, e.g. 3", ifMatch.toString());
    }

    private static HlcTimestamp clock(JsonNode clock) {
        if (clock.isTextual()) {
            return RequestHeaders.clock(clock.asText(), "clock");
        }
        if (clock.isObject() && clock.path("physicalMillis").canConvertToLong() && clock.path("physicalMillis").isIntegralNumber()
                && clock.path("logical").isInt() && clock.path("physicalMillis").longValue() >= 0 && clock.path("logical").intValue() >= 0) {
            return new HlcTimestamp(clock.path("physicalMillis").longValue(), clock.path("logical").intValue());
        }
        throw RequestRefused.invalidItem("clock", "{\"physicalMillis\": <long>, \"logical\": <int>}", clock.toString());
    }

    private static Map<String, Object> accepted(int index, PublishOutcome outcome) {
        PublishAccepted a = outcome.accepted();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("index", index);
        result.put("status", 202);
        result.put("eventId", a.eventId());
        result.put("entityType", a.entityType());
        result.put("entityId", a.entityId());
        result.put("topic", a.topic());
        result.put("partition", a.partition());
        result.put("offset", a.offset());
        result.put("clock", a.clock());
        result.put("writer", a.writer());
        result.put("consistencyToken", a.consistencyToken());
        if (outcome.replayed()) {
            result.put("replayed", true);
        }
        return result;
    }

    private static Map<String, Object> refused(int index, RefusedException refused, String path) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("index", index);
        result.put("status", refused.status());
        result.put("problem", refused.problem().at(path + "#" + index));
        if (!refused.headers().isEmpty()) {
            result.put("headers", refused.headers());
        }
        return result;
    }

    private static RefusedException unwrap(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof RefusedException refused) {
            return refused;
        }
        // Never expected: every failure after validation is a PublishFailedException. Fail the item, not the batch.
        LOG.error("Unexpected failure publishing a batch item", cause);
        return new RequestRefused(500, Problem.of("internal-server-error", "Internal Server Error", 500,
                "The server failed to publish this item; see the producer-service log.", List.of()), Map.of());
    }
}
