-- The replica's store: the current state of every entity it applies, and how far it has consumed.

-- Every applied change takes the next value: the single cursor that change feeds resume from.
-- One applier thread writes per store, so values become visible in increasing order.
CREATE SEQUENCE entity_change_seq;

CREATE TABLE entity (
    entity_type    text    NOT NULL,
    entity_id      text    NOT NULL,
    version        bigint  NOT NULL,            -- the processor's per-entity version; the upsert guard
    clock_physical bigint,                      -- hybrid clock of the winning write
    clock_logical  int,
    writer         text,                        -- writer of the winning write
    deleted        boolean NOT NULL,            -- versioned tombstone: kept so a late older state cannot resurrect it
    data           jsonb,                       -- the payload as JSON; null when deleted
    updated_at     timestamptz,                 -- when the processor accepted the change
    applied_at     timestamptz,                 -- when this replica stored it
    change_seq     bigint  NOT NULL DEFAULT nextval('entity_change_seq'),
    PRIMARY KEY (entity_type, entity_id)
);
ALTER SEQUENCE entity_change_seq OWNED BY entity.change_seq;
CREATE UNIQUE INDEX entity_change_seq_idx ON entity (change_seq);

-- The next Kafka offset to read per partition, written in the same transaction as the entities:
-- the replica's source of truth for where to resume (Kafka's committed offsets are for monitoring).
CREATE TABLE consumed_offset (
    topic       text   NOT NULL,
    partition   int    NOT NULL,
    next_offset bigint NOT NULL,
    PRIMARY KEY (topic, partition)
);
