package dev.concord.processor.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.PoisonPolicy;
import dev.concord.processor.topology.ParkedEntities;
import dev.concord.processor.topology.SyncTopology;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Lists the parked entities of a type (docs/operations.md, "Parked entities") from whichever instance is asked: its own
 * tasks' parked stores, plus each other instance's own list, asked once over HTTP with the caller's credentials. An
 * instance that does not answer is named in {@code unreachable}, so a partial list never passes for a complete one.
 */
@Singleton
public final class ParkedQueryService {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaStreams streams;
    private final HostInfo self;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ParkedQueryService(KafkaStreams streams, @Value("${concord.streams.application.server}") String applicationServer) {
        this.streams = streams;
        this.self = HostInfo.buildFromEndpoint(applicationServer);
    }

    /** One parked entity: since when, why, how many events wait, and which instance holds it. */
    public record ParkedView(String id, Instant since, String reason, long held, String instance) {
    }

    /** The list, sorted by entity id, and the instances that could not be asked. */
    public record ParkedList(String type, List<ParkedView> parked, List<String> unreachable) {
    }

    public ParkedList list(EntityType type, boolean localOnly, Credentials credentials) {
        List<ParkedView> parked = new ArrayList<>(local(type));
        List<String> unreachable = new ArrayList<>();
        if (!localOnly) {
            for (StreamsMetadata instance : streams.metadataForAllStreamsClients()) {
                if (!instance.hostInfo().equals(self)) {
                    fetch(instance.hostInfo(), type, credentials, parked, unreachable);
                }
            }
        }
        parked.sort(Comparator.comparing(ParkedView::id));
        return new ParkedList(type.name(), parked, unreachable);
    }

    /** Thrown while this instance's tasks are being assigned or restored: its list cannot be told yet. */
    public static final class NotReady extends RuntimeException {
        NotReady(String message) {
            super(message);
        }
    }

    private List<ParkedView> local(EntityType type) {
        List<ParkedView> found = new ArrayList<>();
        if (type.poison() != PoisonPolicy.PARK) {
            return found;
        }
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw new NotReady("this instance is " + streams.state() + ", not RUNNING: its tasks are being assigned or restored");
        }
        try {
            ReadOnlyKeyValueStore<String, byte[]> store = streams.store(StoreQueryParameters.fromNameAndType(
                    SyncTopology.Names.of(type).parkedStore(), QueryableStoreTypes.<String, byte[]>keyValueStore()));
            try (KeyValueIterator<String, byte[]> all = store.all()) {
                all.forEachRemaining(entry -> {
                    ParkedEntities.Parked entity = ParkedEntities.decode(entry.key, entry.value);
                    found.add(new ParkedView(entity.entityId(), Instant.ofEpochMilli(entity.sinceMillis()), entity.reason(),
                            entity.held(), self.host() + ":" + self.port()));
                });
            }
        } catch (InvalidStateStoreException e) {
            if (streams.state() != KafkaStreams.State.RUNNING) {
                throw new NotReady("this instance left RUNNING while reading: " + e.getMessage());
            }
            // Running, and no active task of this type here: nothing parked on this instance.
        }
        return found;
    }

    private void fetch(HostInfo instance, EntityType type, Credentials credentials, List<ParkedView> parked, List<String> unreachable) {
        String name = instance.host() + ":" + instance.port();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + name + "/v1/parked/" + type.name() + "?local=true"))
                .timeout(Duration.ofSeconds(5));
        credentials.headers().forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                unreachable.add(name + " (answered " + response.statusCode() + ")");
                return;
            }
            for (JsonNode entity : JSON.readTree(response.body()).path("parked")) {
                parked.add(new ParkedView(entity.path("id").asText(), Instant.parse(entity.path("since").asText()),
                        entity.path("reason").asText(), entity.path("held").asLong(), entity.path("instance").asText()));
            }
        } catch (IOException | RuntimeException e) {
            unreachable.add(name + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unreachable.add(name + " (interrupted)");
        }
    }
}
