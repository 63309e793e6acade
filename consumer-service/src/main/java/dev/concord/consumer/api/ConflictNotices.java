package dev.concord.consumer.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.outcomes.WriteOutcome;
import dev.concord.contract.outcomes.WriteOutcomes;
import io.micronaut.websocket.WebSocketSession;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The conflicts of a WebSocket subscription that asked for them ({@code "conflicts": true}): every write to an entity of
 * the subscribed types that lost, whole or some fields, as sync-processor decides it —
 * {@code {"type":"conflict","conflict":{entityType, entityId, eventId, outcome, lostFields, winner, rule, version,
 * decidedAt}}} — so that a person following those entities sees "your edit to tier lost to writer X at 12:03:04".
 *
 * <p>Best effort and bounded: they come from the decisions this instance reads, not from the store, so they are not
 * replayed after a reconnect (the ledger, {@code concord.conflicts}, and {@code GET /v1/writes/{eventId}} keep them),
 * and a client that takes none while {@value #MAX_IN_FLIGHT} are on their way misses the next ones: the following
 * notice says how many ({@code dropped}).
 */
final class ConflictNotices implements AutoCloseable {

    static final int MAX_IN_FLIGHT = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebSocketSession session;
    private final List<String> types;
    private final AutoCloseable registration;
    // Opened once the subscription's acknowledgement is out: a notice never precedes the "subscribed" it belongs to.
    private final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    // guarded by this
    private int inFlight;
    private long dropped;

    ConflictNotices(WriteOutcomes outcomes, WebSocketSession session, List<String> types) {
        this.session = session;
        this.types = List.copyOf(types);
        this.registration = outcomes.onLoss(this::lost);
    }

    private void lost(WriteOutcome outcome) {
        if (!types.contains(outcome.entityType()) || !session.isOpen()) {
            return;
        }
        long droppedBefore;
        synchronized (this) {
            if (inFlight >= MAX_IN_FLIGHT) {
                dropped++;
                return;
            }
            inFlight++;
            droppedBefore = dropped;
            dropped = 0;
        }
        String message = message(outcome, droppedBefore);
        acknowledged.thenCompose(ok -> send(message)).whenComplete((ok, failure) -> {
            synchronized (this) {
                inFlight--;
            }
        });
    }

    /** Lets the notices go out once {@code subscribed} (the subscription's acknowledgement) has. */
    void afterAcknowledgement(java.util.concurrent.CompletionStage<?> subscribed) {
        subscribed.whenComplete((ok, failure) -> acknowledged.complete(null));
    }

    private CompletableFuture<String> send(String text) {
        try {
            return session.sendAsync(text);
        } catch (RuntimeException closed) {
            return CompletableFuture.failedFuture(closed);
        }
    }

    static String message(WriteOutcome outcome, long droppedBefore) {
        Map<String, Object> conflict = new LinkedHashMap<>();
        conflict.put("entityType", outcome.entityType());
        conflict.put("entityId", outcome.entityId());
        conflict.put("eventId", outcome.eventId());
        conflict.put("outcome", outcome.status().text());
        conflict.put("lostFields", outcome.lostFields());
        WriteOutcome.Winner winner = outcome.winner();
        Map<String, Object> won = new LinkedHashMap<>();
        won.put("eventId", winner.eventId());
        won.put("clock", Map.of("physicalMillis", winner.physicalMillis(), "logical", winner.logical()));
        won.put("writer", winner.writer());
        conflict.put("winner", won);
        conflict.put("rule", outcome.rule());
        conflict.put("version", outcome.version());
        conflict.put("decidedAt", outcome.decidedAt().toString());
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "conflict");
        message.put("conflict", conflict);
        if (droppedBefore > 0) {
            message.put("dropped", droppedBefore);
        }
        try {
            return JSON.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a conflict notice", e);
        }
    }

    @Override
    public void close() {
        try {
            registration.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
