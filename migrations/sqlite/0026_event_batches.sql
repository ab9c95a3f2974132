-- Kept in lockstep with migrations/postgres/0026_event_batches.sql, which stores PostgreSQL's event
-- log as one row per execution per transaction. SQLite keeps a row per event: its inserts are
-- prepared statements on the writer thread, each a few microseconds, and the conformance suite
-- holds both logs to the same reads. Nothing changes here.
SELECT 1;
