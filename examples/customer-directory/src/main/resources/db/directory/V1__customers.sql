-- The team's own table: one row per customer, with the columns this service needs. Concord's replica kit keeps
-- its own three tables beside it (created at start; see docs/replicas.md).
CREATE TABLE customers (
    id                text PRIMARY KEY,
    name              text        NOT NULL,
    email             text        NOT NULL,
    phone             text,
    tier              text        NOT NULL,
    city              text,
    country           char(2),
    marketing_opt_in  boolean     NOT NULL,
    version           bigint      NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE INDEX customers_by_city ON customers (city);
