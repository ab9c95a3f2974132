-- Marketing campaigns of a property, their generated assets, and the approval trail.
CREATE TABLE campaigns (
    id             BLOB PRIMARY KEY,
    owner_id       TEXT   NOT NULL,
    team_id        TEXT,
    property_id    BLOB NOT NULL,
    campaign_type  TEXT   NOT NULL,
    -- draft | in_review | approved | changes_requested | distributed
    status         TEXT   NOT NULL,
    request        TEXT  NOT NULL,
    -- [{kind, channel, artifact_id, content_type, size_bytes, sha256}]
    assets         TEXT  NOT NULL,
    created_at_us  BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL
);
CREATE INDEX campaigns_by_owner ON campaigns (owner_id, created_at_us);

CREATE TABLE marketing_approvals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  BLOB NOT NULL,
    at_us        BIGINT NOT NULL,
    actor_id     TEXT   NOT NULL,
    action       TEXT   NOT NULL,
    from_status  TEXT   NOT NULL,
    to_status    TEXT   NOT NULL,
    notes        TEXT
);
CREATE INDEX marketing_approvals_by_campaign ON marketing_approvals (campaign_id, id);
