package dev.concord.bench.load;

/**
 * What load to generate.
 *
 * @param events        how many events
 * @param entities      how many distinct entities they touch
 * @param writers       how many concurrent writers (distinct writer ids)
 * @param conflictRate  share of events written "concurrently": their clock lies up to a second
 *                      before the entity's latest write, so they race it (and usually lose)
 * @param patchShare    share of PATCH events (field-merge types), the rest UPSERT or DELETE
 * @param deleteShare   share of DELETE events
 * @param payloadBytes  approximate size of each entity's payload
 * @param seed          the random seed: the same spec always yields the same events
 */
public record LoadSpec(int events, int entities, int writers, double conflictRate, double patchShare, double deleteShare,
                       int payloadBytes, long seed) {

    /** Every event a new entity: for throughput and latency, where each input must show in the output. */
    public static LoadSpec uniqueEntities(int events, int payloadBytes) {
        return new LoadSpec(events, events, 1, 0, 0, 0, payloadBytes, 7);
    }
}
