-- The organisation tree: city → county → township / police station → village / community.
-- `path` is the materialised path of codes from the root ("/33/3302/330281/"), so that a
-- subtree is one index range scan.
CREATE TABLE org_units (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    level         TEXT NOT NULL
                  CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
    parent_code   TEXT REFERENCES org_units (code),
    division_code TEXT,
    path          {{BINARY_TEXT}} NOT NULL UNIQUE,
    depth         BIGINT NOT NULL CHECK (depth >= 1),
    population    BIGINT CHECK (population IS NULL OR population >= 0),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX org_units_parent ON org_units (parent_code);
