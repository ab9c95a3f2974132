-- Market data (communities, DLD transactions, monthly snapshots), agents' properties, CMA
-- reports, and stored files (artefacts) such as report PDFs.

CREATE TABLE communities (
    name           TEXT PRIMARY KEY,
    -- Semicolon-separated alternative names (short names, DLD spellings).
    aliases        TEXT NOT NULL,
    latitude       REAL,
    longitude      REAL,
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
    size_sqft      REAL NOT NULL,
    price_aed      REAL NOT NULL,
    offplan        INTEGER NOT NULL,
    -- Developer bulk registrations: kept for volume, excluded from comparables.
    bulk           INTEGER NOT NULL,
    source         TEXT    NOT NULL
);
CREATE INDEX transactions_by_community ON transactions (community, property_type, date);

CREATE TABLE market_snapshots (
    community      TEXT    NOT NULL,
    property_type  TEXT    NOT NULL,
    -- YYYY-MM.
    month          TEXT    NOT NULL,
    median_psf     REAL NOT NULL,
    volume         INTEGER NOT NULL,
    PRIMARY KEY (community, property_type, month)
);

CREATE TABLE properties (
    id             BLOB PRIMARY KEY,
    owner_id       TEXT   NOT NULL,
    team_id        TEXT,
    -- Chosen by the agent (e.g. test_prop_123); unique per agent.
    reference      TEXT   NOT NULL,
    body           TEXT  NOT NULL,
    created_at_us  BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL,
    UNIQUE (owner_id, reference)
);
CREATE INDEX properties_by_reference ON properties (reference);

CREATE TABLE artifacts (
    id             BLOB PRIMARY KEY,
    owner_id       TEXT,
    team_id        TEXT,
    kind           TEXT    NOT NULL,
    filename       TEXT    NOT NULL,
    content_type   TEXT    NOT NULL,
    size_bytes     BIGINT  NOT NULL,
    sha256         TEXT    NOT NULL,
    bytes          BLOB   NOT NULL,
    created_at_us  BIGINT  NOT NULL
);

CREATE TABLE cma_reports (
    id              BLOB PRIMARY KEY,
    owner_id        TEXT   NOT NULL,
    team_id         TEXT,
    property_id     BLOB,
    execution_id    BLOB,
    status          TEXT   NOT NULL,
    request         TEXT  NOT NULL,
    result          TEXT,
    error           TEXT,
    pdf_artifact_id BLOB,
    created_at_us   BIGINT NOT NULL,
    updated_at_us   BIGINT NOT NULL
);
CREATE INDEX cma_reports_by_owner ON cma_reports (owner_id, created_at_us);
