-- Employer notices (提示单) for public-sector victims (财政供养人员被骗每案通报): every case
-- whose victim is paid from public funds owes one notice, issued to the victim's employer and,
-- at the same time, to the police station of the victim's area, which urges the employer to
-- hold anti-fraud talks. Notices are numbered per issuing unit and year (`notice_seq`: the
-- year's running number, 提示〔2026〕第N号; the year is the Shanghai year of `issued_at`).
--
-- `department` is the employer's supervising department (主管部门, e.g. 市卫健局 for a
-- hospital), by which the city's departments are assessed; `station_unit` the station told.
-- The employer's receipt (回执): who signed, when, and what the employer did about it. Reads are
-- scoped by the case's unit. `version` counts the changes (issue, receipt, corrections).
-- Times are epoch ms UTC.
CREATE TABLE employer_notices (
    case_id           TEXT PRIMARY KEY REFERENCES cases (id),
    issuer_unit       TEXT NOT NULL,
    notice_year       BIGINT NOT NULL,
    notice_seq        BIGINT NOT NULL CHECK (notice_seq >= 1),
    employer          TEXT NOT NULL,
    department        TEXT,
    station_unit      TEXT NOT NULL,
    issued_by         TEXT NOT NULL,
    issued_at         BIGINT NOT NULL,
    receipt_signatory TEXT,
    receipt_at        BIGINT,
    receipt_measures  TEXT,
    receipt_by        TEXT,
    receipt_recorded  BIGINT,
    version           BIGINT NOT NULL CHECK (version >= 1),
    UNIQUE (issuer_unit, notice_year, notice_seq),
    CHECK ((receipt_at IS NULL) = (receipt_signatory IS NULL))
);
CREATE INDEX employer_notices_issued ON employer_notices (issued_at);
CREATE INDEX cases_public_sector ON cases (public_sector, reported_at);
