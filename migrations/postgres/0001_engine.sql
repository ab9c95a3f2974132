-- The engine's tables. Timestamps are microseconds since the Unix epoch (UTC), written by the
-- application's clock (`now` is a parameter of every store call), never by SQL's now().

CREATE TABLE package_versions (
    name           TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    content_hash   TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    created_at_us  BIGINT  NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE packages (
    name            TEXT PRIMARY KEY,
    latest_version  INTEGER NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at_us   BIGINT  NOT NULL
);

CREATE TABLE executions (
    id               UUID PRIMARY KEY,
    package_name     TEXT    NOT NULL,
    package_version  INTEGER NOT NULL,
    status           TEXT    NOT NULL,
    params           JSONB   NOT NULL,
    priority         INTEGER NOT NULL DEFAULT 0,
    idempotency_key  TEXT UNIQUE,
    created_by       TEXT,
    -- Steps not yet succeeded or skipped; the execution completes when it reaches zero.
    steps_remaining  INTEGER NOT NULL,
    created_at_us    BIGINT  NOT NULL,
    started_at_us    BIGINT,
    finished_at_us   BIGINT,
    updated_at_us    BIGINT  NOT NULL,
    error            TEXT
);
CREATE INDEX executions_by_package ON executions (package_name, id DESC);
CREATE INDEX executions_by_status ON executions (status, id DESC);
CREATE INDEX executions_finished ON executions (finished_at_us) WHERE finished_at_us IS NOT NULL;

-- No foreign keys on the hot tables: their per-row checks and key-share locks cost throughput,
-- and retention deletes children explicitly.
CREATE TABLE steps (
    execution_id         UUID     NOT NULL,
    idx                  SMALLINT NOT NULL,
    step_id              TEXT     NOT NULL,
    status               TEXT     NOT NULL,
    -- Dependencies not yet succeeded or skipped; the step becomes ready at zero.
    pending_deps         INTEGER  NOT NULL,
    attempt              INTEGER  NOT NULL DEFAULT 0,
    max_attempts         INTEGER  NOT NULL,
    priority             INTEGER  NOT NULL,
    ready_at_us          BIGINT,
    lease_owner          TEXT,
    lease_expires_at_us  BIGINT,
    started_at_us        BIGINT,
    finished_at_us       BIGINT,
    output               JSONB,
    error                TEXT,
    PRIMARY KEY (execution_id, idx)
) WITH (fillfactor = 80);
CREATE INDEX steps_ready ON steps (priority DESC, ready_at_us) WHERE status = 'ready';
CREATE INDEX steps_leased ON steps (lease_expires_at_us) WHERE status = 'running';
-- The hot table churns: vacuum it early and often.
ALTER TABLE steps SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_threshold = 1000);

CREATE TABLE events (
    id            BIGSERIAL PRIMARY KEY,
    execution_id  UUID   NOT NULL,
    at_us         BIGINT NOT NULL,
    kind          TEXT   NOT NULL,
    step_id       TEXT,
    attempt       INTEGER,
    detail        JSONB
);
CREATE INDEX events_by_execution ON events (execution_id, id);

CREATE TABLE schedule_ticks (
    package_name   TEXT   NOT NULL,
    schedule_name  TEXT   NOT NULL,
    tick_at_us     BIGINT NOT NULL,
    execution_id   UUID   NOT NULL,
    PRIMARY KEY (package_name, schedule_name, tick_at_us)
);
