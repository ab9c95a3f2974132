-- Social posts per platform, generated from a property and compliance-checked.
CREATE TABLE social_posts (
    id             BLOB PRIMARY KEY,
    owner_id       TEXT   NOT NULL,
    team_id        TEXT,
    property_id    BLOB NOT NULL,
    platform       TEXT   NOT NULL,
    post_type      TEXT   NOT NULL,
    -- draft | scheduled | published | cancelled
    status         TEXT   NOT NULL,
    text           TEXT   NOT NULL,
    hashtags       TEXT  NOT NULL,
    scheduled_at_us BIGINT,
    created_at_us  BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL
);
CREATE INDEX social_posts_by_owner ON social_posts (owner_id, created_at_us);
