package dev.concord.contract.catalog;

import dev.concord.contract.serde.SingleObjectHeader;
import dev.concord.contract.text.LogSafe;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema catalog: every schema a writer has used, keyed by its CRC-64-AVRO fingerprint and
 * grouped by subject (an entity type, or an envelope), kept in a {@link CatalogLog}.
 *
 * <p>Writers {@link #register} a schema before first use; registration refuses a schema that breaks
 * the subject's compatibility mode and names the fields that break it. Readers look schemas up by
 * fingerprint ({@link SchemaStore}); a miss re-reads the log once, since another service may just
 * have registered it, and otherwise answers {@code null} so the caller can dead-letter the record.
 *
 * <p>Known limit: two writers registering incompatible schemas for one subject at the same instant
 * are not serialised against each other; both check against what each has read.
 */
public final class SchemaCatalog implements SchemaStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaCatalog.class);

    public static final String SUBJECT_ENTITY_EVENT = "concord.EntityEvent";
    public static final String SUBJECT_ENTITY_STATE = "concord.EntityState";
    public static final String SUBJECT_CONFLICT_RECORD = "concord.ConflictRecord";
    public static final String SUBJECT_REJECTED_EVENT = "concord.RejectedEvent";

    private final CatalogLog log;
    private final CompatibilityMode mode;
    private final Clock clock;
    // fingerprint -> schema, for every entry read from the log
    private final Map<Long, Schema> byFingerprint = new ConcurrentHashMap<>();
    // subject -> its schemas in registration order (oldest first)
    private final Map<String, List<Schema>> bySubject = new ConcurrentHashMap<>();

    public SchemaCatalog(CatalogLog log, CompatibilityMode mode, Clock clock) {
        this.log = log;
        this.mode = mode;
        this.clock = clock;
        refresh();
    }

    public SchemaCatalog(CatalogLog log) {
        this(log, CompatibilityMode.FULL_TRANSITIVE, Clock.systemUTC());
    }

    /**
     * Registers a schema under a subject, idempotently.
     *
     * @return the schema's fingerprint
     * @throws IncompatibleSchemaException if it breaks the compatibility mode with earlier schemas of the subject
     */
    public synchronized long register(String subject, Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        List<String> problems = check(subject, schema);
        if (isRegistered(subject, fingerprint)) {
            return fingerprint;
        }
        if (!problems.isEmpty()) {
            throw new IncompatibleSchemaException(subject, mode, problems);
        }
        CatalogEntry entry = CatalogEntry.of(subject, schema, clock.millis());
        log.append(entry);
        remember(entry.subject(), fingerprint, schema);
        return fingerprint;
    }

    /**
     * What {@link #register} would refuse, without registering anything: the breaks of the subject's
     * compatibility mode, each naming its field (empty when the schema is compatible or already registered).
     */
    public synchronized List<String> check(String subject, Schema schema) {
        refresh();
        if (isRegistered(subject, SchemaNormalization.parsingFingerprint64(schema))) {
            return List.of();
        }
        return CompatibilityChecker.problems(schema, bySubject.getOrDefault(subject, List.of()), mode);
    }

    public CompatibilityMode mode() {
        return mode;
    }

    private boolean isRegistered(String subject, long fingerprint) {
        return bySubject.getOrDefault(subject, List.of()).stream().anyMatch(s -> SchemaNormalization.parsingFingerprint64(s) == fingerprint);
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        Schema known = byFingerprint.get(fingerprint);
        if (known != null) {
            return known;
        }
        refresh();
        return byFingerprint.get(fingerprint);
    }

    /** The subject's schemas, oldest first. */
    public List<Schema> versions(String subject) {
        refresh();
        return List.copyOf(bySubject.getOrDefault(subject, List.of()));
    }

    private synchronized void refresh() {
        for (CatalogEntry entry : log.readNew()) {
            checked(entry).ifPresent(schema -> remember(entry.subject(), entry.fingerprint(), schema));
        }
    }

    /**
     * The entry's schema, if it is one and has the fingerprint the entry files it under; otherwise nothing, said once
     * per reading. Anyone who can write the catalog's log can put anything there: one bad entry must not keep a service
     * from starting, and an entry filing a schema under another's fingerprint must not make readers decode records
     * with the wrong schema.
     */
    private static java.util.Optional<Schema> checked(CatalogEntry entry) {
        String problem;
        try {
            if (entry.subject() == null || entry.schemaJson() == null) {
                problem = "it has no subject or no schema";
            } else {
                Schema schema = entry.schema();
                long actual = SchemaNormalization.parsingFingerprint64(schema);
                if (actual == entry.fingerprint()) {
                    return java.util.Optional.of(schema);
                }
                problem = "its schema's fingerprint is " + SingleObjectHeader.toHex(actual) + ", not the one it is filed under";
            }
        } catch (RuntimeException e) {
            problem = "its schema does not parse: " + e.getMessage();
        }
        LOG.warn("Skipped the schema catalog entry of subject '{}' filed under fingerprint {}: {}",
                LogSafe.of(entry.subject()), SingleObjectHeader.toHex(entry.fingerprint()), LogSafe.of(problem));
        return java.util.Optional.empty();
    }

    private void remember(String subject, long fingerprint, Schema schema) {
        byFingerprint.putIfAbsent(fingerprint, schema);
        List<Schema> versions = bySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        if (versions.stream().noneMatch(s -> SchemaNormalization.parsingFingerprint64(s) == fingerprint)) {
            versions.add(schema);
        }
    }

    @Override
    public void close() throws Exception {
        log.close();
    }
}
