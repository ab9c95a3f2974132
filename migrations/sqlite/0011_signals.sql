-- Signals: messages posted to a running execution (a lead replied, a file was approved). A step that
-- waits for one returns a `Wait` outcome: it stays ready with a future ready_at and `waiting` set, and a
-- signal pulls every waiting step of its execution forward to now.
ALTER TABLE steps ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;

CREATE TABLE signals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id  BLOB    NOT NULL,
    name          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    created_at_us INTEGER NOT NULL
);
CREATE INDEX signals_execution ON signals(execution_id, id);
