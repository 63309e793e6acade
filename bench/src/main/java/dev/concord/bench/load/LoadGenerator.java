package dev.concord.bench.load;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.types.EntityType;
import dev.concord.domain.Customer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns a {@link LoadSpec} into events: deterministic for a seed, with clocks that advance like real
 * writers' hybrid logical clocks, plus the share of concurrent (racing) writes the spec asks for.
 */
public final class LoadGenerator {

    private final PayloadCodec payloads;

    public LoadGenerator(PayloadCodec payloads) {
        this.payloads = payloads;
    }

    public List<EntityEvent> generate(EntityType type, LoadSpec spec, long startMillis) {
        Random random = new Random(spec.seed());
        List<EntityEvent> events = new ArrayList<>(spec.events());
        String filler = "x".repeat(Math.max(0, spec.payloadBytes() - 40));
        long[] latestMillis = new long[spec.entities()];
        for (int i = 0; i < spec.events(); i++) {
            int entity = spec.entities() == spec.events() ? i : random.nextInt(spec.entities());
            String id = "e-" + entity;
            String writer = "writer-" + random.nextInt(spec.writers());
            long millis = startMillis + i / 10;
            if (random.nextDouble() < spec.conflictRate() && latestMillis[entity] > 0) {
                millis = Math.max(startMillis, latestMillis[entity] - random.nextInt(1000));
            }
            latestMillis[entity] = Math.max(latestMillis[entity], millis);
            HlcTimestamp clock = new HlcTimestamp(millis, i);
            double dice = random.nextDouble();
            UUID eventId = UUID.randomUUID();
            if (dice < spec.deleteShare()) {
                events.add(EntityEvents.delete(eventId, type.name(), id, clock, writer, EntityEvents.source("bench")));
            } else {
                byte[] payload = payload(i, filler);
                events.add(dice < spec.deleteShare() + spec.patchShare()
                        ? EntityEvents.patch(eventId, type.name(), id, payload, List.of(i % 2 == 0 ? "name" : "phone"), clock, writer,
                        EntityEvents.source("bench"))
                        : EntityEvents.upsert(eventId, type.name(), id, payload, clock, writer, EntityEvents.source("bench")));
            }
        }
        return events;
    }

    private byte[] payload(int i, String filler) {
        GenericRecord customer = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(), Customer.newBuilder()
                .setName("name-" + i + filler).setEmail("c" + i + "@example.com").setPhone("+1-555-" + i).build());
        return payloads.encode(customer);
    }
}
