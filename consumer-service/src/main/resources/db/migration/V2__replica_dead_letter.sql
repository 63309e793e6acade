-- Records this replica could not store: it goes on with the next ones instead of retrying one row forever.
-- Written in the same transaction as the batch's entities and consumed offsets, so a record is either
-- applied, or here, never neither. Inspect and replay: docs/operations.md.
CREATE TABLE replica_dead_letter (
    id               bigserial   PRIMARY KEY,  -- the listing's cursor (GET /v1/replica/dead-letters?after=)
    entity_type      text        NOT NULL,
    entity_id        text,                     -- printable form (control characters escaped); the raw key is record_key
    topic            text,                     -- where the record was read (null only for batches built without origins)
    partition        int,
    record_offset    bigint,
    version          bigint,                   -- the state's version, when the value could be decoded
    reason           text        NOT NULL,     -- why it could not be stored (decoder or PostgreSQL message)
    record_key       bytea,                    -- the original Kafka key and value, byte for byte
    record_value     bytea,
    dead_lettered_at timestamptz NOT NULL DEFAULT now()
);
-- A record rewound and refused again (a replay that did not help) is recorded once.
CREATE UNIQUE INDEX replica_dead_letter_record_idx ON replica_dead_letter (topic, partition, record_offset);
