-- Kept in lockstep with migrations/postgres/0025_started_from_steps.sql: each step records when it
-- first started. SQLite still stores an execution's start on the execution at its first claim (a
-- write there is cheap); the column keeps both schemas and step rows the same.
ALTER TABLE steps ADD COLUMN first_started_at_us INTEGER;
