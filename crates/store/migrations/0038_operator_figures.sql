-- 运营商反制数据: what an operator's network did against fraud in a month within a unit's
-- area — calls and SMS intercepted, numbers its own model shut down — as the operators report
-- them. Entered by the operator's liaison (its own operator) or the center; a unit's own entry
-- stands for its subtree. `month` is YYYYMM.
CREATE TABLE operator_figures (
    operator      TEXT NOT NULL CHECK (operator IN ('china_mobile', 'china_unicom',
                                                    'china_telecom', 'china_broadnet')),
    unit_code     TEXT NOT NULL REFERENCES org_units (code),
    month         BIGINT NOT NULL CHECK (month BETWEEN 200001 AND 210012 AND month % 100 BETWEEN 1 AND 12),
    calls_blocked BIGINT NOT NULL CHECK (calls_blocked >= 0),
    sms_blocked   BIGINT NOT NULL CHECK (sms_blocked >= 0),
    numbers_shut  BIGINT NOT NULL CHECK (numbers_shut >= 0),
    entered_by    TEXT NOT NULL,
    entered_at    BIGINT NOT NULL,
    PRIMARY KEY (operator, unit_code, month)
);
CREATE INDEX operator_figures_month ON operator_figures (month);
