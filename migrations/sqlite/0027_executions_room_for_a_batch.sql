-- Kept in lockstep with migrations/postgres/0027_executions_room_for_a_batch.sql, a PostgreSQL
-- storage setting (page fill factor) that SQLite has no equivalent of. Nothing changes here.
SELECT 1;
