-- Identities and access (issue #7): users, API keys, login sessions, grants of conditional
-- datasets and the requests for them; the audit log becomes tamper-evident (a chained HMAC per
-- record) and records events besides changes. Portable SQL for SQLite and PostgreSQL, in the
-- style of 0002: integers BIGINT (flags 0/1), times UTC milliseconds, lists ';'-separated text.

-- People who log in. `password_phc`: the argon2id hash as a PHC string (never the password).
-- An `enterprise` user names its enterprise; other roles name none.
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_phc TEXT NOT NULL,
    role TEXT NOT NULL,
    enterprise TEXT REFERENCES enterprises (credit_code),
    department TEXT REFERENCES departments (code),
    disabled BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- API keys. The token itself is never stored: `secret_sha256` is the lowercase hex SHA-256 of the
-- whole token. A key of a user (`user_name`) takes its role, enterprise and department from the
-- user when it authenticates; the copies here are what they were at creation.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL UNIQUE,
    user_name TEXT REFERENCES users (name),
    role TEXT NOT NULL,
    enterprise TEXT REFERENCES enterprises (credit_code),
    department TEXT REFERENCES departments (code),
    scopes TEXT NOT NULL,
    expires_ms BIGINT,
    revoked_ms BIGINT,
    last_used_ms BIGINT,
    rate_per_min BIGINT,
    rate_per_hour BIGINT,
    created_by TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- Login sessions, keyed by the SHA-256 (hex) of the session token.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name),
    expires_ms BIGINT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_ms);

-- Requests to read a conditional dataset (有条件共享): pending until an administrator approves
-- (which creates a grant) or rejects it. `department` is set when the request is for the
-- requester's whole department.
CREATE TABLE access_requests (
    id BIGINT PRIMARY KEY,
    dataset TEXT NOT NULL REFERENCES datasets (name),
    requester_kind TEXT NOT NULL,
    requester TEXT NOT NULL,
    department TEXT REFERENCES departments (code),
    purpose TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    decided_ms BIGINT,
    note TEXT,
    grant_id BIGINT,
    created_ms BIGINT NOT NULL
);
CREATE INDEX access_requests_status ON access_requests (status, id);

-- Who may read a conditional dataset: a user, a key or a department, until `expires_ms`
-- (if set) unless revoked.
CREATE TABLE grants (
    id BIGINT PRIMARY KEY,
    dataset TEXT NOT NULL REFERENCES datasets (name),
    principal_kind TEXT NOT NULL,
    principal TEXT NOT NULL,
    expires_ms BIGINT,
    granted_by TEXT NOT NULL,
    request_id BIGINT REFERENCES access_requests (id),
    revoked_ms BIGINT,
    created_ms BIGINT NOT NULL
);
CREATE INDEX grants_principal ON grants (principal_kind, principal);

-- The audit log records events too (`kind`: `change` for the registry's own changes, which every
-- record before this migration is), with their detail, and every record is sealed (`mac`).
ALTER TABLE audit_log ADD COLUMN kind TEXT NOT NULL DEFAULT 'change';
ALTER TABLE audit_log ADD COLUMN detail_json TEXT;
ALTER TABLE audit_log ADD COLUMN mac TEXT;
CREATE INDEX audit_log_kind ON audit_log (kind, id);
