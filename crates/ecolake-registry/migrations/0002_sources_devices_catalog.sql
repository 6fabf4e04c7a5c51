-- The rest of the registry: river basins, departments, pollution sources (enterprises, outlets,
-- permits and their limits), devices, deployment factors, collection responsibilities and the
-- data resource catalog. Portable SQL for SQLite and PostgreSQL: integers are BIGINT (flags 0/1),
-- dates are ISO 8601 text (`YYYY-MM-DD`), times UTC milliseconds, lists ';'-separated text.

CREATE TABLE basins (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- Departments own datasets and collect data (a bureau's monitoring centre, a water authority …).
CREATE TABLE departments (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- 排污单位, keyed by the unified social credit code (GB 32100).
CREATE TABLE enterprises (
    credit_code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT,
    industry TEXT,
    division TEXT REFERENCES divisions (code),
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    key_discharger BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- 排放口. `code` is unique in the platform (observations name it in their `site` column).
CREATE TABLE outlets (
    code TEXT PRIMARY KEY,
    enterprise TEXT NOT NULL REFERENCES enterprises (credit_code),
    name TEXT,
    kind TEXT NOT NULL,
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    height_m DOUBLE PRECISION,
    reference_o2 DOUBLE PRECISION,
    factors TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- 排污许可证.
CREATE TABLE permits (
    number TEXT PRIMARY KEY,
    enterprise TEXT NOT NULL REFERENCES enterprises (credit_code),
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- Per permit, outlet and factor: the concentration limit over its averaging period, and the
-- outlet's annual allowance for the factor (t/a), if the permit sets one.
CREATE TABLE permit_limits (
    permit TEXT NOT NULL REFERENCES permits (number),
    outlet TEXT NOT NULL REFERENCES outlets (code),
    factor TEXT NOT NULL,
    limit_value DOUBLE PRECISION NOT NULL,
    unit TEXT NOT NULL,
    averaging TEXT NOT NULL,
    allowance_t_per_year DOUBLE PRECISION,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (permit, outlet, factor, averaging)
);

-- 数采仪. The password is encrypted (nonce and ciphertext, base64) under the key in the key file
-- outside the database (`password_set_ms`: when it was last set, which the audit log shows
-- instead of the password). A device reports for exactly one of a site or an outlet.
CREATE TABLE devices (
    mn TEXT PRIMARY KEY,
    password_enc TEXT NOT NULL,
    password_set_ms BIGINT NOT NULL,
    site TEXT REFERENCES sites (code),
    outlet TEXT REFERENCES outlets (code),
    edition TEXT NOT NULL,
    crc TEXT NOT NULL,
    strict BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    units TEXT NOT NULL,
    interval_s BIGINT NOT NULL,
    enabled BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    CHECK ((site IS NULL) <> (outlet IS NULL))
);

-- Factors a deployment adds to the HJ 212 registry of `ecolake-model`.
CREATE TABLE factors (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT,
    unit TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- Which department collects which factor at which site ("one collection, many uses").
CREATE TABLE responsibilities (
    department TEXT NOT NULL REFERENCES departments (code),
    site TEXT NOT NULL,
    factor TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (department, site, factor)
);

-- The data resource catalog: a dataset is a named, filtered view over observations or a
-- registry table, with its sharing tier (open, conditional, restricted). Coverage columns are
-- kept current from the lake.
CREATE TABLE datasets (
    name TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    title_en TEXT,
    description TEXT,
    description_en TEXT,
    owner TEXT NOT NULL REFERENCES departments (code),
    theme TEXT,
    source TEXT NOT NULL,
    sites TEXT,
    factors TEXT,
    periods TEXT,
    medium TEXT,
    division TEXT,
    update_frequency TEXT,
    licence TEXT,
    tier TEXT NOT NULL,
    coverage_west DOUBLE PRECISION,
    coverage_south DOUBLE PRECISION,
    coverage_east DOUBLE PRECISION,
    coverage_north DOUBLE PRECISION,
    coverage_from_ms BIGINT,
    coverage_to_ms BIGINT,
    coverage_rows BIGINT,
    coverage_updated_ms BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
