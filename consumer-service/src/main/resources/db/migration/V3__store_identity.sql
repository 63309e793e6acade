-- Who this store is and how far back its change feed can serve without a gap (see consumer-service README,
-- "Cursor resets"). One row.
CREATE TABLE replica_store (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- Random per store (per database), never reused: a feed cursor names the store it came from.
    store_id   text    NOT NULL DEFAULT substr(md5(random()::text || clock_timestamp()::text), 1, 16),
    -- Highest change_seq of a row removed by a Kafka tombstone: a client whose cursor is below it may
    -- have missed that deletion, so it must resync instead of resuming.
    purged_seq bigint  NOT NULL DEFAULT 0
);
INSERT INTO replica_store DEFAULT VALUES;
