-- Analytics: daily performance metrics per user (recorded as things happen, or rolled up from the
-- source tables), goals per agent or team, and saved custom dashboards.
--
-- `day` is a Dubai-local day number: floor((µs since the Unix epoch + 4 h) / 1 day), so
-- 0 = 1970-01-01. `source` is `event` for rows written by `record` and `rollup` for rows the
-- rollup recomputes (it deletes and rewrites only its own).
CREATE TABLE performance_metrics (
    day      BIGINT NOT NULL,
    user_id  TEXT   NOT NULL,
    team_id  TEXT,
    metric   TEXT   NOT NULL,
    value    REAL   NOT NULL,
    source   TEXT   NOT NULL,
    -- Clustered by day then metric: the all-users sums read a contiguous range in group order.
    PRIMARY KEY (day, metric, user_id)
) WITHOUT ROWID;
-- Covering indexes for a team's and a user's sums (and per-user totals, in group order): the
-- dashboard reads only indexes.
CREATE INDEX performance_metrics_by_team ON performance_metrics (team_id, day, user_id, metric, value);
CREATE INDEX performance_metrics_by_user ON performance_metrics (user_id, metric, day, value);

CREATE TABLE analytics_goals (
    id             BLOB PRIMARY KEY,
    -- user | team
    scope          TEXT   NOT NULL,
    subject_id     TEXT   NOT NULL,
    -- The team the goal belongs to (the subject's team for a user goal), for team leaders.
    team_id        TEXT,
    kpi            TEXT   NOT NULL,
    target         REAL   NOT NULL,
    period_start   BIGINT NOT NULL,
    period_end     BIGINT NOT NULL,
    created_by     TEXT   NOT NULL,
    created_at_us  BIGINT NOT NULL
);
CREATE INDEX analytics_goals_by_subject ON analytics_goals (subject_id);
CREATE INDEX analytics_goals_by_team ON analytics_goals (team_id);

CREATE TABLE analytics_dashboards (
    id             BLOB PRIMARY KEY,
    owner_id       TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    widgets        TEXT   NOT NULL,
    created_at_us  BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL
);
CREATE INDEX analytics_dashboards_by_owner ON analytics_dashboards (owner_id, created_at_us);

-- The rollup reads these by time range.
CREATE INDEX cma_reports_by_created ON cma_reports (created_at_us);
CREATE INDEX campaigns_by_created ON campaigns (created_at_us);
CREATE INDEX marketing_approvals_by_time ON marketing_approvals (at_us);
CREATE INDEX social_posts_by_created ON social_posts (created_at_us);
CREATE INDEX social_posts_by_updated ON social_posts (updated_at_us);
CREATE INDEX campaign_events_by_time ON campaign_events (at_us);
