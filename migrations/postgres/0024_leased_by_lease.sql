-- `steps_leased` was partial on `status = 'running'`, so every statement that fences a step on
-- `status = 'running'` (completion, heartbeat, release) could be planned as a walk of that index,
-- which holds every running step and, until vacuum, the dead entries of finished ones. On statistics
-- taken while the backlog was being enqueued (no running step yet) PostgreSQL estimated it at one row
-- and chose it as the outer side of a nested loop over the batch: each completion of 128 steps read
-- every running step and rescanned the batch for each, 130-350 ms per statement, and a 300k burn-down
-- fell from 24k to 3.3k steps/s (benches/README.md, 2026-12-06 evening). The lease column is set
-- exactly while a step runs (every transition out of `running` clears it), so index that instead:
-- only a query that compares `lease_expires_at_us` (the lost-lease scans) can use it, and the fenced
-- updates go through the primary key.
DROP INDEX steps_leased;
CREATE INDEX steps_leased ON steps (lease_expires_at_us) WHERE lease_expires_at_us IS NOT NULL;
