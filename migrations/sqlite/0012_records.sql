-- Entity tables of the CRM side (social campaigns, the publishing outbox, hashtag research, campaign
-- deliveries, leads, clients and their documents, agent tasks, portal listings). They share one shape:
-- identity, ownership, a status, a reference to their parent, an optional idempotency key, and a JSON
-- body whose fields the realestate crate validates (store::records).

-- Social posts learn how they are published: their image, the social campaign that planned them,
-- the durable execution that publishes them at their time, and when that happened.
ALTER TABLE social_posts ADD COLUMN image_artifact_id BLOB;
ALTER TABLE social_posts ADD COLUMN social_campaign_id BLOB;
ALTER TABLE social_posts ADD COLUMN theme TEXT;
ALTER TABLE social_posts ADD COLUMN execution_id BLOB;
ALTER TABLE social_posts ADD COLUMN published_at_us INTEGER;
CREATE INDEX social_posts_by_schedule ON social_posts (scheduled_at_us);

CREATE TABLE social_campaigns (
    id            BLOB PRIMARY KEY,
    owner_id      TEXT,
    team_id       TEXT,
    ref_id        TEXT,
    status        TEXT   NOT NULL,
    unique_key    TEXT   UNIQUE,
    body          TEXT     NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);
CREATE INDEX social_campaigns_by_owner ON social_campaigns (owner_id, created_at_us);
CREATE INDEX social_campaigns_by_ref ON social_campaigns (ref_id);

CREATE TABLE social_outbox (
    id            BLOB PRIMARY KEY,
    owner_id      TEXT,
    team_id       TEXT,
    ref_id        TEXT,
    status        TEXT   NOT NULL,
    unique_key    TEXT   UNIQUE,
    body          TEXT     NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);
CREATE INDEX social_outbox_by_owner ON social_outbox (owner_id, created_at_us);
CREATE INDEX social_outbox_by_ref ON social_outbox (ref_id);

CREATE TABLE hashtag_research (
    id            BLOB PRIMARY KEY,
    owner_id      TEXT,
    team_id       TEXT,
    ref_id        TEXT,
    status        TEXT   NOT NULL,
    unique_key    TEXT   UNIQUE,
    body          TEXT     NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);
CREATE INDEX hashtag_research_by_owner ON hashtag_research (owner_id, created_at_us);
CREATE INDEX hashtag_research_by_ref ON hashtag_research (ref_id);

CREATE TABLE campaign_deliveries (
    id            BLOB PRIMARY KEY,
    owner_id      TEXT,
    team_id       TEXT,
    ref_id        TEXT,
    status        TEXT   NOT NULL,
    unique_key    TEXT   UNIQUE,
    body          TEXT     NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);
CREATE INDEX campaign_deliveries_by_owner ON campaign_deliveries (owner_id, created_at_us);
CREATE INDEX campaign_deliveries_by_ref ON campaign_deliveries (ref_id);

CREATE TABLE leads (
    id            BLOB PRIMARY KEY,
    owner_id      TEXT,
    team_id       TEXT,
    ref_id        TEXT,
    status        TEXT   NOT NULL,
    unique_key    TEXT   UNIQUE,
    body          TEXT     NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);
CREATE INDEX leads_by_owner ON leads (owner_id, created_at_us);
CREATE INDEX leads_by_ref ON leads (ref_id);

CREATE TABLE clients (
    id            BLOB PRIMARY KEY,
    owner_id      TEXT,
    team_id       TEXT,
    ref_id        TEXT,
    status        TEXT   NOT NULL,
    unique_key    TEXT   UNIQUE,
    body          TEXT     NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);
CREATE INDEX clients_by_owner ON clients (owner_id, created_at_us);
CREATE INDEX clients_by_ref ON clients (ref_id);

CREATE TABLE client_documents (
    id            BLOB PRIMARY KEY,
    owner_id      TEXT,
    team_id       TEXT,
    ref_id        TEXT,
    status        TEXT   NOT NULL,
    unique_key    TEXT   UNIQUE,
    body          TEXT     NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);
CREATE INDEX client_documents_by_owner ON client_documents (owner_id, created_at_us);
CREATE INDEX client_documents_by_ref ON client_documents (ref_id);

CREATE TABLE agent_tasks (
    id            BLOB PRIMARY KEY,
    owner_id      TEXT,
    team_id       TEXT,
    ref_id        TEXT,
    status        TEXT   NOT NULL,
    unique_key    TEXT   UNIQUE,
    body          TEXT     NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);
CREATE INDEX agent_tasks_by_owner ON agent_tasks (owner_id, created_at_us);
CREATE INDEX agent_tasks_by_ref ON agent_tasks (ref_id);

CREATE TABLE listings (
    id            BLOB PRIMARY KEY,
    owner_id      TEXT,
    team_id       TEXT,
    ref_id        TEXT,
    status        TEXT   NOT NULL,
    unique_key    TEXT   UNIQUE,
    body          TEXT     NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);
CREATE INDEX listings_by_owner ON listings (owner_id, created_at_us);
CREATE INDEX listings_by_ref ON listings (ref_id);

