-- 反诈示范点: the townships, villages and communities a unit above awarded the title of anti-fraud
-- model site (授牌) after checking them against its criteria (few cases per 10,000 residents,
-- residents on the national anti-fraud app, awareness events held), and took it back (摘牌)
-- when they no longer met them. A unit holds one standing title; revoked titles are kept.
-- Times epoch ms UTC; `version` counts a title's changes.
CREATE TABLE model_sites (
    id            {{ID_PK}},
    unit_code     TEXT NOT NULL REFERENCES org_units (code),
    awarded_at    BIGINT NOT NULL,
    awarded_by    TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    revoked_at    BIGINT,
    revoked_by    TEXT,
    revoke_reason TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE UNIQUE INDEX model_sites_standing ON model_sites (unit_code) WHERE revoked_at IS NULL;
