-- An execution row is updated twice in its life (started, finished). PostgreSQL can make those
-- updates HOT (a new row version on the same page, no index touched) only when no indexed column
-- changes and the page has room. `status` and `finished_at_us` were indexed, so every update wrote
-- a new entry into all seven indexes of `executions`: a fifth of the database's CPU under load
-- (see benches/README.md, 2026-12-06). Keep the columns an execution changes out of its indexes:
-- - listing by status walks the time-ordered primary key (ids are UUIDv7) and filters;
-- - retention finds finished executions through the creation time, which never changes and is
--   never later than the finish time (both come from the same application clock).
DROP INDEX executions_by_status;
DROP INDEX executions_finished;
CREATE INDEX executions_by_created ON executions (created_at_us);
-- Room on each page for the two updated versions of its rows (applies to pages written from now on).
ALTER TABLE executions SET (fillfactor = 80);

-- Events are only ever read per execution, in order: one index (the key) instead of two.
ALTER TABLE events DROP CONSTRAINT events_pkey;
DROP INDEX events_by_execution;
ALTER TABLE events ADD PRIMARY KEY (execution_id, id);
