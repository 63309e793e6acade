package dev.concord.processor.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.types.EntityType;
import dev.concord.processor.topology.SyncTopology;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Answers "what is the processor's state of this entity?" from whichever instance is asked: the
 * instance that owns the key's partition reads its own store; any other forwards the request once
 * to the owner, found through Kafka Streams' metadata ({@code application.server} of each instance).
 */
@Singleton
public final class StateQueryService {

    /** Marks a forwarded request, so a stale view of ownership never bounces a request around. */
    public static final String FORWARDED_HEADER = "X-Concord-Forwarded";

    private final KafkaStreams streams;
    private final ConcordContract contract;
    private final HostInfo self;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    StateQueryService(KafkaStreams streams, ConcordContract contract,
                      @Value("${concord.streams.application.server}") String applicationServer) {
        this.streams = streams;
        this.contract = contract;
        this.self = HostInfo.buildFromEndpoint(applicationServer);
    }

    /** The outcome of a query: found (JSON body), not found, or not answerable right now. */
    public sealed interface Answer {
        record Found(String json) implements Answer {
        }

        record NotFound() implements Answer {
        }

        record Unavailable(String reason) implements Answer {
        }
    }

    public Answer query(EntityType type, String id, boolean forwarded, Credentials credentials) {
        try {
            return route(type, id, forwarded, credentials);
        } catch (InvalidStateStoreException e) {
            // Starting, or a rebalance took the task away between the metadata and the read: ask again shortly (503).
            return new Answer.Unavailable("the state store is not queryable now (Kafka Streams " + streams.state() + ")");
        }
    }

    private Answer route(EntityType type, String id, boolean forwarded, Credentials credentials) {
        String store = SyncTopology.Names.of(type).stateStore();
        KeyQueryMetadata owner = streams.queryMetadataForKey(store, id, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return new Answer.Unavailable("the owner of this key is not known yet (rebalancing)");
        }
        if (owner.activeHost().equals(self)) {
            return readLocally(type, store, id, owner.partition());
        }
        if (forwarded) {
            return new Answer.Unavailable("ownership is moving; " + self + " no longer owns the key");
        }
        return forward(owner.activeHost(), type, id, credentials);
    }

    private Answer readLocally(EntityType type, String store, String id, int partition) {
        // The store holds encoded states (see the topology's EntityStateStore).
        ReadOnlyKeyValueStore<String, byte[]> states = streams.store(StoreQueryParameters
                .fromNameAndType(store, QueryableStoreTypes.<String, byte[]>keyValueStore())
                .withPartition(partition));
        EntityState state = contract.topics().stateSerde().deserializer().deserialize(null, states.get(id));
        if (state == null) {
            return new Answer.NotFound();
        }
        JsonNode data = Optional.ofNullable(state.getPayload()).map(p -> (JsonNode) AvroToJson.toJson(
                contract.payloads().decode(p, type.schema()))).orElse(null);
        return new Answer.Found(Json.write(StateView.of(state, data, self.host() + ":" + self.port())));
    }

    private Answer forward(HostInfo owner, EntityType type, String id, Credentials credentials) {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + "/v1/state/" + type.name() + "/"
                + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).header(FORWARDED_HEADER, "1");
            credentials.headers().forEach(request::header);
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return switch (response.statusCode()) {
                case 200 -> new Answer.Found(response.body());
                case 404 -> new Answer.NotFound();
                default -> new Answer.Unavailable("owner " + owner + " answered " + response.statusCode());
            };
        } catch (IOException e) {
            return new Answer.Unavailable("owner " + owner + " unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer.Unavailable("interrupted");
        }
    }
}
