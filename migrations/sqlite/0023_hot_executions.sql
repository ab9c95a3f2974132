-- Keep the columns an execution changes (`status`, `finished_at_us`) out of its indexes, as on
-- PostgreSQL (where that is what lets its updates be HOT); here it saves an index delete and insert
-- per status change. Listing by status walks the time-ordered primary key (UUIDv7) and filters;
-- retention finds finished executions through the creation time, which never changes and is never
-- later than the finish time (both come from the same application clock).
DROP INDEX executions_by_status;
DROP INDEX executions_finished;
CREATE INDEX executions_by_created ON executions (created_at_us);
