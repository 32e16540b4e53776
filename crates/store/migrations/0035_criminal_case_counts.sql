-- 刑事案件立案数: how many criminal cases of every kind a unit filed in a month, as its
-- statistics office reports them — the denominator of 电诈案件占刑事案件比, which the bureaus
-- report with its change in percentage points. The platform holds telecom-fraud cases only, so
-- the figure is entered (or imported) per unit and month. A unit's own entry stands for its
-- whole subtree; without one, the entries below it add up. `month` is YYYYMM.
CREATE TABLE criminal_case_counts (
    unit_code  TEXT NOT NULL REFERENCES org_units (code),
    month      BIGINT NOT NULL CHECK (month BETWEEN 200001 AND 210012 AND month % 100 BETWEEN 1 AND 12),
    cases      BIGINT NOT NULL CHECK (cases >= 0),
    entered_by TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    PRIMARY KEY (unit_code, month)
);
CREATE INDEX criminal_case_counts_month ON criminal_case_counts (month);
