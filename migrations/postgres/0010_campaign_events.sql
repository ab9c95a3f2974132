-- Engagement recorded against a campaign (opens, clicks, leads, …): the hook for real channels.
CREATE TABLE campaign_events (
    id           BIGSERIAL PRIMARY KEY,
    campaign_id  UUID NOT NULL,
    at_us        BIGINT NOT NULL,
    kind         TEXT   NOT NULL,
    channel      TEXT,
    count        INTEGER NOT NULL,
    detail       JSONB
);
CREATE INDEX campaign_events_by_campaign ON campaign_events (campaign_id, id);
