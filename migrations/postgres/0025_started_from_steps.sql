-- A claim used to write the execution row as well as the step (status 'running', started_at_us)
-- the first time one of its steps started: a second row update per job, about a sixth of the
-- database's work in a single-step burn-down (benches/README.md, 2026-12-07). The step row is
-- written by the claim anyway, so it records when the step first started, and an execution's
-- start is read from its steps until the execution finishes (then it is stored):
-- - started_at = executions.started_at_us, else the earliest steps.first_started_at_us;
-- - a 'pending' execution with a started step reads as 'running'.
-- Rows written before this migration need no backfill: the old claim stored the start on the
-- execution itself, so an execution without one has no step that started.
ALTER TABLE steps ADD COLUMN first_started_at_us BIGINT;
