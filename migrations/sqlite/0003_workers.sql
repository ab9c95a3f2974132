-- Worker processes report here on every heartbeat, busy or idle, so operators can see which are
-- alive without asking each one.
CREATE TABLE workers (
    id                TEXT   PRIMARY KEY,
    started_at_us     BIGINT NOT NULL,
    last_seen_at_us   BIGINT NOT NULL,
    running_steps     INTEGER NOT NULL DEFAULT 0
);
