-- Market data (communities, DLD transactions, monthly snapshots), agents' properties, CMA
-- reports, and stored files (artefacts) such as report PDFs.

CREATE TABLE communities (
    name           TEXT PRIMARY KEY,
    -- Semicolon-separated alternative names (short names, DLD spellings).
    aliases        TEXT NOT NULL,
    latitude       DOUBLE PRECISION,
    longitude      DOUBLE PRECISION,
    coord_source   TEXT
);

CREATE TABLE transactions (
    txn_id         TEXT PRIMARY KEY,
    -- ISO date, YYYY-MM-DD.
    date           TEXT    NOT NULL,
    community      TEXT    NOT NULL,
    building       TEXT,
    property_type  TEXT    NOT NULL,
    bedrooms       INTEGER,
    size_sqft      DOUBLE PRECISION NOT NULL,
    price_aed      DOUBLE PRECISION NOT NULL,
    offplan        BOOLEAN NOT NULL,
    -- Developer bulk registrations: kept for volume, excluded from comparables.
    bulk           BOOLEAN NOT NULL,
    source         TEXT    NOT NULL
);
CREATE INDEX transactions_by_community ON transactions (community, property_type, date);

CREATE TABLE market_snapshots (
    community      TEXT    NOT NULL,
    property_type  TEXT    NOT NULL,
    -- YYYY-MM.
    month          TEXT    NOT NULL,
    median_psf     DOUBLE PRECISION NOT NULL,
    volume         INTEGER NOT NULL,
    PRIMARY KEY (community, property_type, month)
);

CREATE TABLE properties (
    id             UUID PRIMARY KEY,
    owner_id       TEXT   NOT NULL,
    team_id        TEXT,
    -- Chosen by the agent (e.g. test_prop_123); unique per agent.
    reference      TEXT   NOT NULL,
    body           JSONB  NOT NULL,
    created_at_us  BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL,
    UNIQUE (owner_id, reference)
);
CREATE INDEX properties_by_reference ON properties (reference);

CREATE TABLE artifacts (
    id             UUID PRIMARY KEY,
    owner_id       TEXT,
    team_id        TEXT,
    kind           TEXT    NOT NULL,
    filename       TEXT    NOT NULL,
    content_type   TEXT    NOT NULL,
    size_bytes     BIGINT  NOT NULL,
    sha256         TEXT    NOT NULL,
    bytes          BYTEA   NOT NULL,
    created_at_us  BIGINT  NOT NULL
);

CREATE TABLE cma_reports (
    id              UUID PRIMARY KEY,
    owner_id        TEXT   NOT NULL,
    team_id         TEXT,
    property_id     UUID,
    execution_id    UUID,
    status          TEXT   NOT NULL,
    request         JSONB  NOT NULL,
    result          JSONB,
    error           TEXT,
    pdf_artifact_id UUID,
    created_at_us   BIGINT NOT NULL,
    updated_at_us   BIGINT NOT NULL
);
CREATE INDEX cma_reports_by_owner ON cma_reports (owner_id, created_at_us);
