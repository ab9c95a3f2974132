-- Signals: messages posted to a running execution (a lead replied, a file was approved). A step that
-- waits for one returns a `Wait` outcome: it stays ready with a future ready_at and `waiting` set, and a
-- signal pulls every waiting step of its execution forward to now.
ALTER TABLE steps ADD COLUMN waiting BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE signals (
    id            BIGSERIAL PRIMARY KEY,
    execution_id  UUID   NOT NULL,
    name          TEXT   NOT NULL,
    payload       JSONB  NOT NULL,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX signals_execution ON signals(execution_id, id);
