-- 带破外地案件 and 上级下发线索破案: fraud cases a unit solved that are not its own area's reported
-- cases — another city's case it cracked while working its own, or a lead the provincial or
-- national center sent down. The bureaus count them in what they solved ("共破获涉电诈类案件179起
-- （包括上级下发线索及带破外地案件），破案率416.27%"), so the 综合破案率 may pass 100 %. One entry
-- per kind and reference (the other area's case number, the lead's number). Times epoch ms UTC.
CREATE TABLE solved_elsewhere (
    id          {{ID_PK}},
    unit_code   TEXT NOT NULL REFERENCES org_units (code),
    kind        TEXT NOT NULL CHECK (kind IN ('upstream_lead', 'other_area')),
    reference   TEXT NOT NULL,
    origin      TEXT NOT NULL,
    fraud_type  TEXT,
    loss_fen    BIGINT NOT NULL DEFAULT 0 CHECK (loss_fen >= 0),
    solved_on   BIGINT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX solved_elsewhere_once ON solved_elsewhere (kind, reference);
CREATE INDEX solved_elsewhere_unit ON solved_elsewhere (unit_code, solved_on);
