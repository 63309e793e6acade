-- Several instances of a replica apply into one store in parallel (consumer-service README, "Scaling out").
-- change_seq values are drawn by concurrent transactions, so they may commit out of order; the feed reads
-- only up to head_seq, a value below which every transaction that drew a seq has finished. It is raised
-- under an exclusive advisory lock that waits for the appliers' shared one (store/ChangeSequence.java).
ALTER TABLE replica_store ADD COLUMN head_seq bigint NOT NULL DEFAULT 0;
-- Until now one transaction drew values at a time, so everything drawn so far is settled.
UPDATE replica_store SET head_seq = (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM entity_change_seq);
