-- Cron schedules: those declared in package files (source 'package', kept in step with the
-- latest version; operators may only enable or disable them) and those created through the API
-- (source 'api').
CREATE TABLE schedules (
    package_name   TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    cron           TEXT    NOT NULL,
    timezone       TEXT    NOT NULL,
    params         TEXT   NOT NULL,
    enabled        INTEGER NOT NULL,
    source         TEXT    NOT NULL,
    created_by     TEXT,
    created_at_us  BIGINT  NOT NULL,
    updated_at_us  BIGINT  NOT NULL,
    PRIMARY KEY (package_name, name)
);
