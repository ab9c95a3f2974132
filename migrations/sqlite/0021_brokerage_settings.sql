-- The brokerage's advertising settings (name, ORN, BRN, disclaimers, Media Council permit): one
-- row, versioned so concurrent saves cannot overwrite each other; each save is also in the audit log.
-- `demo` marks the settings a development install creates on first start: assets made under them
-- say "DEMO — not for publication".
CREATE TABLE brokerage_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    body           TEXT    NOT NULL,
    demo           BOOLEAN  NOT NULL,
    version        BIGINT   NOT NULL,
    updated_by     TEXT,
    updated_at_us  BIGINT   NOT NULL
);
