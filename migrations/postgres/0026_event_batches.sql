-- The event log becomes one row per execution per transaction: the events a transaction writes
-- for one execution go into one JSON array (entries `[kind, step_id, attempt, detail]`), the way
-- Temporal stores a workflow's history in batches. Every row inserted is a heap tuple, a primary
-- key entry and a WAL record; three rows per single-step job (started; succeeded; completed)
-- were a fifth of the database's work in a burn-down (benches/README.md, 2026-12-07 night).
--
-- The array is `json`, not `jsonb`: the log is only ever read back whole, so its text is kept as
-- written instead of being converted on every insert.
--
-- Ids stay one per event: the sequence now steps by 1024, a row's id is its first event's and
-- entry k has id + k (store/src/postgres/history.rs). Existing rows become single-entry rows with
-- their ids unchanged, so event cursors (SSE Last-Event-ID) taken before keep working.
ALTER TABLE events RENAME TO events_by_row;
ALTER INDEX events_pkey RENAME TO events_by_row_pkey;

CREATE TABLE events (
    execution_id  UUID   NOT NULL,
    id            BIGINT NOT NULL,
    at_us         BIGINT NOT NULL,
    entries       JSON   NOT NULL,
    PRIMARY KEY (execution_id, id)
);
INSERT INTO events (execution_id, id, at_us, entries)
    SELECT execution_id, id, at_us, json_build_array(json_build_array(kind, step_id, attempt, detail))
    FROM events_by_row;

ALTER SEQUENCE events_id_seq OWNED BY events.id;
ALTER TABLE events ALTER COLUMN id SET DEFAULT nextval('events_id_seq');
DROP TABLE events_by_row;
-- The next row starts above every id handed out so far.
SELECT setval('events_id_seq', (COALESCE((SELECT max(id) FROM events), 0) / 1024 + 1) * 1024, false);
ALTER SEQUENCE events_id_seq INCREMENT BY 1024;
