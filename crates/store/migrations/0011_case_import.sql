-- Cases imported from 110 / 96110 report exports carry the report's number (警情编号 /
-- 接警编号): a number is taken in once, whatever file it arrives in (NULL for cases opened
-- otherwise; a unique index admits any number of NULLs on both backends).
ALTER TABLE cases ADD COLUMN report_no TEXT;
CREATE UNIQUE INDEX cases_report_no ON cases (report_no);

-- The warnings the victim had before the case was opened (预警后仍被骗).
CREATE TABLE case_warnings (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    warning_id TEXT NOT NULL REFERENCES warnings (id),
    PRIMARY KEY (case_id, warning_id)
);
CREATE INDEX case_warnings_warning ON case_warnings (warning_id);

-- Several cases' traces can end in one account: the returns plan (发还) reads them together.
CREATE INDEX stop_payments_account ON stop_payments (account);
