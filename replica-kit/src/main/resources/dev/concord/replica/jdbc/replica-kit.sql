-- The replica kit's own tables (PostgreSQL), beside the team's: where each replica stopped, the version it holds
-- of each entity (the guard that keeps it from going backwards, tombstones included), and the records it could
-- not apply. "replica" is the replica's name (its consumer group), so several replicas may share a database.
-- Created by ReplicaTables.createIfAbsent, or copy this file into your own migrations.
CREATE TABLE IF NOT EXISTS concord_replica_offset (
    replica     text    NOT NULL,
    topic       text    NOT NULL,
    partition   integer NOT NULL,
    next_offset bigint  NOT NULL,
    PRIMARY KEY (replica, topic, partition)
);

CREATE TABLE IF NOT EXISTS concord_replica_version (
    replica     text    NOT NULL,
    entity_type text    NOT NULL,
    entity_id   text    NOT NULL,
    version     bigint  NOT NULL,
    deleted     boolean NOT NULL,
    PRIMARY KEY (replica, entity_type, entity_id)
);

CREATE TABLE IF NOT EXISTS concord_replica_dead_letter (
    replica          text        NOT NULL,
    topic            text        NOT NULL,
    partition        integer     NOT NULL,
    record_offset    bigint      NOT NULL,
    entity_type      text,
    entity_id        text,
    version          bigint,
    reason           text        NOT NULL,
    record_key       bytea,
    record_value     bytea,
    dead_lettered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (replica, topic, partition, record_offset)
);
