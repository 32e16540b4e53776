-- 企业反诈联盟: the enterprises of an area that joined the police's anti-fraud alliance (警企联动)
-- — each with its unified social credit code, the station responsible for it (属地单位), its
-- anti-fraud contact (反诈联络员), its staff and finance staff (财务人员, the high-loss group).
-- Its figures — staff known to the platform and registered on the national app, staff defrauded,
-- awareness events held there — are read from the people, cases and outreach tables by the
-- enterprise's name. A member leaves (退出) with why and is kept; a credit code is an active
-- member once. Times epoch ms UTC; `version` counts a member's changes.
CREATE TABLE alliance_members (
    id            {{ID_PK}},
    unit_code     TEXT NOT NULL REFERENCES org_units (code),
    name          TEXT NOT NULL,
    credit_code   TEXT NOT NULL,
    contact_name  TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    staff         BIGINT NOT NULL CHECK (staff >= 0),
    finance_staff BIGINT NOT NULL CHECK (finance_staff >= 0),
    joined_at     BIGINT NOT NULL,
    left_at       BIGINT,
    left_reason   TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_by    TEXT,
    updated_at    BIGINT,
    version       BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE UNIQUE INDEX alliance_members_active ON alliance_members (credit_code)
    WHERE left_at IS NULL;
CREATE INDEX alliance_members_unit ON alliance_members (unit_code);
CREATE INDEX alliance_members_name ON alliance_members (name);
CREATE INDEX people_employer ON people (employer);
