-- The registry's first tables: administrative divisions, monitoring sites and the audit log.
-- Portable SQL: the same file runs on SQLite and PostgreSQL. Times are UTC milliseconds.

CREATE TABLE divisions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent TEXT REFERENCES divisions (code),
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

CREATE TABLE sites (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT,
    medium TEXT NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    division TEXT REFERENCES divisions (code),
    basin TEXT,
    level TEXT,
    status TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- Every change: who, when, what, the row before and after (JSON). `id` is assigned in the
-- writing transaction (max + 1), so the log is gap-free and ordered.
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
