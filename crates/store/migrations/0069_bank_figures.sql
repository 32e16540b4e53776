-- 银行反诈数据: what a bank's branches did against fraud in a month within a unit's area, as
-- the banks report them to the center — customers its counters and call-backs talked out of
-- paying a fraudster (劝阻) and the money that stayed with them, and the anti-fraud reminders
-- it pushed to its customers ("定期向用户推送防骗短信和语音提醒"). Entered by the bank's liaison
-- (its own bank) or the center; a unit's own entry stands for its subtree. `month` is YYYYMM,
-- money integer fen.
CREATE TABLE bank_figures (
    bank_code       TEXT NOT NULL,
    unit_code       TEXT NOT NULL REFERENCES org_units (code),
    month           BIGINT NOT NULL CHECK (month BETWEEN 200001 AND 210012 AND month % 100 BETWEEN 1 AND 12),
    dissuaded       BIGINT NOT NULL CHECK (dissuaded >= 0),
    dissuaded_fen   BIGINT NOT NULL CHECK (dissuaded_fen >= 0),
    awareness_sms   BIGINT NOT NULL CHECK (awareness_sms >= 0),
    awareness_calls BIGINT NOT NULL CHECK (awareness_calls >= 0),
    entered_by      TEXT NOT NULL,
    entered_at      BIGINT NOT NULL,
    PRIMARY KEY (bank_code, unit_code, month)
);
CREATE INDEX bank_figures_month ON bank_figures (month);
