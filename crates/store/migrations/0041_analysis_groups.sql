-- 分类研判组: analysis groups per fraud type. A group belongs to a unit (a center or county) and
-- covers that unit's subtree; it analyses the cases and warnings of its fraud types there.
-- Within one unit a fraud type belongs to at most one active group (the partial unique index
-- on `analysis_group_types`); a deactivated group keeps its types for the record, inactive.
-- The lead is also a member. Times are epoch ms UTC.
CREATE TABLE analysis_groups (
    id          {{ID_PK}},
    unit_code   TEXT NOT NULL REFERENCES org_units (code),
    name        TEXT NOT NULL,
    lead_login  TEXT NOT NULL,
    active      BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version     BIGINT NOT NULL CHECK (version >= 1),
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX analysis_groups_active_name ON analysis_groups (unit_code, name)
    WHERE active = 1;

CREATE TABLE analysis_group_types (
    group_id   BIGINT NOT NULL REFERENCES analysis_groups (id),
    unit_code  TEXT NOT NULL,
    fraud_type TEXT NOT NULL,
    active     BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    PRIMARY KEY (group_id, fraud_type)
);
CREATE UNIQUE INDEX analysis_group_types_active ON analysis_group_types (unit_code, fraud_type)
    WHERE active = 1;

CREATE TABLE analysis_group_members (
    group_id BIGINT NOT NULL REFERENCES analysis_groups (id),
    login    TEXT NOT NULL,
    PRIMARY KEY (group_id, login)
);
CREATE INDEX analysis_group_members_login ON analysis_group_members (login);
