-- Users, teams, refresh tokens and the audit log; executions learn their creator's team so
-- that team leaders can see their team's work.

CREATE TABLE teams (
    id             BLOB PRIMARY KEY,
    name           TEXT   NOT NULL UNIQUE,
    created_at_us  BIGINT NOT NULL
);

CREATE TABLE users (
    id             BLOB PRIMARY KEY,
    -- Stored lower-cased: e-mail addresses compare case-insensitively.
    email          TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    team_id        BLOB,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at_us  BIGINT  NOT NULL,
    updated_at_us  BIGINT  NOT NULL
);
CREATE INDEX users_by_team ON users (team_id);

-- Opaque refresh tokens, stored as SHA-256 hashes. A token is used once; presenting a used one
-- again revokes its whole family (stolen-token detection).
CREATE TABLE refresh_tokens (
    id             BLOB PRIMARY KEY,
    family_id      BLOB NOT NULL,
    user_id        BLOB NOT NULL,
    token_hash     TEXT   NOT NULL UNIQUE,
    expires_at_us  BIGINT NOT NULL,
    used_at_us     BIGINT,
    revoked_at_us  BIGINT,
    created_at_us  BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at_us     BIGINT NOT NULL,
    actor_id  BLOB,
    action    TEXT   NOT NULL,
    target    TEXT,
    detail    TEXT,
    ip        TEXT
);
CREATE INDEX audit_log_by_actor ON audit_log (actor_id, id);

ALTER TABLE executions ADD COLUMN team_id TEXT;
CREATE INDEX executions_by_creator ON executions (created_by, id DESC);
CREATE INDEX executions_by_team ON executions (team_id, id DESC);
