-- Concord transactional outbox (PostgreSQL 13+). Apply it to the database of the service that owns
-- the data: with Flyway (this file is named as a Flyway migration; copy it into your migrations or
-- add classpath:db/concord-outbox to your locations), or let the relay create it at start
-- (CONCORD_OUTBOX_CREATE_SCHEMA=true, the default). Every statement is idempotent.
--
-- Write to the outbox in the same transaction as the business change, either explicitly:
--     SELECT concord_outbox_append('customer', 'c-42', 'UPSERT', '{"name": "Ada", "email": "ada@example.com"}');
-- or, for code that cannot change, with the capture trigger on an existing table:
--     CREATE TRIGGER customers_to_concord AFTER INSERT OR UPDATE OR DELETE ON customers
--         FOR EACH ROW EXECUTE FUNCTION concord_outbox_capture('customer', 'id' [, 'excluded_column', ...]);
-- A rolled-back transaction leaves no outbox row, so nothing is published for it.

CREATE TABLE IF NOT EXISTS concord_outbox (
    -- Publication order. Rows of one entity get increasing seq in commit order: appends take a
    -- per-entity transaction lock (see concord_outbox_append).
    seq              BIGSERIAL   PRIMARY KEY,
    -- The event id, so a row published twice (relay crash after Kafka acknowledged it) is one event
    -- to sync-processor's deduplication.
    event_id         UUID        NOT NULL DEFAULT gen_random_uuid(),
    entity_type      TEXT        NOT NULL,
    entity_id        TEXT        NOT NULL,
    op               TEXT        NOT NULL CHECK (op IN ('UPSERT', 'PATCH', 'DELETE')),
    -- The entity as JSON (UPSERT: whole; PATCH: a merge patch; DELETE: null). Column names in
    -- snake_case map to the schema's camelCase fields.
    payload          JSONB,
    -- PATCH only; null = the payload's top-level keys.
    changed_fields   TEXT[],
    expected_version BIGINT,
    -- The event's clock: the database's time at append (never behind an earlier pending row of the
    -- same entity), with seq as the logical part. One clock for every relay of this database, and
    -- the same clock when a row is republished.
    clock_millis     BIGINT      NOT NULL,
    tx_id            BIGINT      NOT NULL DEFAULT txid_current(),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Relay bookkeeping: a claim is a lease; a relay that dies loses it when it expires.
    claimed_by       TEXT,
    claimed_until    TIMESTAMPTZ,
    attempts         INT         NOT NULL DEFAULT 0,
    last_error       TEXT
);

CREATE INDEX IF NOT EXISTS concord_outbox_by_entity ON concord_outbox (entity_type, entity_id, seq);

-- Rows the relay cannot turn into an event (unknown type, payload not matching the schema): moved
-- here with the reason, so they neither block their entity nor vanish.
CREATE TABLE IF NOT EXISTS concord_outbox_dead (
    seq              BIGINT      PRIMARY KEY,
    event_id         UUID        NOT NULL,
    entity_type      TEXT        NOT NULL,
    entity_id        TEXT        NOT NULL,
    op               TEXT        NOT NULL,
    payload          JSONB,
    changed_fields   TEXT[],
    expected_version BIGINT,
    clock_millis     BIGINT      NOT NULL,
    tx_id            BIGINT      NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    failed_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    error            TEXT        NOT NULL
);

CREATE OR REPLACE FUNCTION concord_outbox_append(p_type TEXT, p_id TEXT, p_op TEXT, p_payload JSONB,
                                                 p_changed_fields TEXT[] DEFAULT NULL,
                                                 p_expected_version BIGINT DEFAULT NULL) RETURNS UUID AS $$
DECLARE
    v_event_id UUID;
    v_clock    BIGINT;
BEGIN
    IF p_id IS NULL THEN
        RAISE EXCEPTION 'concord_outbox_append: entity id is null (type %)', p_type;
    END IF;
    -- Held until commit: two transactions writing the same entity append one after the other, so
    -- seq order is their commit order.
    PERFORM pg_advisory_xact_lock(hashtextextended('concord_outbox:' || p_type || '/' || p_id, 0));
    SELECT GREATEST((floor(extract(epoch FROM clock_timestamp()) * 1000))::BIGINT, max(clock_millis))
      INTO v_clock FROM concord_outbox WHERE entity_type = p_type AND entity_id = p_id;
    INSERT INTO concord_outbox (entity_type, entity_id, op, payload, changed_fields, expected_version, clock_millis)
    VALUES (p_type, p_id, p_op, p_payload, p_changed_fields, p_expected_version, v_clock)
    RETURNING event_id INTO v_event_id;
    RETURN v_event_id;
END
$$ LANGUAGE plpgsql;

-- Trigger function: INSERT/UPDATE → UPSERT of the whole row, DELETE → DELETE. Arguments: entity type,
-- id column, then columns to leave out of the payload. An UPDATE that changes the id deletes the old
-- entity and upserts the new one.
CREATE OR REPLACE FUNCTION concord_outbox_capture() RETURNS trigger AS $$
DECLARE
    v_type   TEXT := TG_ARGV[0];
    v_id_col TEXT := TG_ARGV[1];
    v_old    JSONB;
    v_new    JSONB;
    i        INT;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        v_old := to_jsonb(OLD);
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM concord_outbox_append(v_type, v_old ->> v_id_col, 'DELETE', NULL);
        RETURN OLD;
    END IF;
    v_new := to_jsonb(NEW);
    IF TG_OP = 'UPDATE' AND (v_old ->> v_id_col) IS DISTINCT FROM (v_new ->> v_id_col) THEN
        PERFORM concord_outbox_append(v_type, v_old ->> v_id_col, 'DELETE', NULL);
    END IF;
    FOR i IN 2 .. TG_NARGS - 1 LOOP
        v_new := v_new - TG_ARGV[i];
    END LOOP;
    PERFORM concord_outbox_append(v_type, v_new ->> v_id_col, 'UPSERT', v_new - v_id_col);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
