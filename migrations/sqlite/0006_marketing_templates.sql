-- Marketing templates (tera): the built-in ones, seeded on start, and those admins add.
CREATE TABLE marketing_templates (
    name                 TEXT   PRIMARY KEY,
    category             TEXT   NOT NULL,
    channel              TEXT   NOT NULL,
    market               TEXT   NOT NULL,
    -- 'passed' once it rendered with sample data and passed the compliance checker.
    compliance_status    TEXT   NOT NULL,
    customizable_fields  TEXT  NOT NULL,
    content              TEXT   NOT NULL,
    -- 'builtin' or 'custom'.
    source               TEXT   NOT NULL,
    created_by           TEXT,
    created_at_us        BIGINT NOT NULL,
    updated_at_us        BIGINT NOT NULL
);
CREATE INDEX marketing_templates_by_category ON marketing_templates (market, category);
