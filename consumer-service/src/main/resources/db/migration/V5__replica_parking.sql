-- Entities of types declared "poison": "park" whose state this replica could not store (dead-lettered): their later
-- states wait in replica_held instead of being applied past it, until an operator releases the entity
-- (docs/operations.md, "Parked entities"). Written in the same transaction as the batch and its offsets.
CREATE TABLE replica_parked (
    entity_type   text        NOT NULL,
    entity_id     text        NOT NULL,
    reason        text        NOT NULL,        -- the dead letter's reason
    topic         text,                        -- where the dead-lettered record was read (replica_dead_letter)
    partition     int,
    record_offset bigint,
    parked_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity_type, entity_id)
);

-- The newest state of a parked entity that arrived after it was parked (states are whole: the newest one is what
-- applying all of them in order would leave). Same columns as entity; a release moves it there.
CREATE TABLE replica_held (
    entity_type    text    NOT NULL,
    entity_id      text    NOT NULL,
    version        bigint  NOT NULL,
    clock_physical bigint,
    clock_logical  int,
    writer         text,
    deleted        boolean NOT NULL,
    data           jsonb,
    updated_at     timestamptz,
    held_count     bigint  NOT NULL DEFAULT 1,  -- states held so far (only the newest is kept)
    PRIMARY KEY (entity_type, entity_id)
);
