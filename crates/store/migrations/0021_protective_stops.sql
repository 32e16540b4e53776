-- 保护性止付: a stop-payment requested straight from a warning (a fund warning, repeated
-- warnings) before any case exists. Such a request names the warning, its instruction and the
-- person instead of a case; `case_id` stays empty until a case is opened for the person, and
-- then takes the case. SQLite cannot drop a NOT NULL, so the table is rebuilt with its rows on
-- both backends (nothing references it), and its indexes are made again.
CREATE TABLE stop_payments_v2 (
    id             TEXT PRIMARY KEY,
    case_id        TEXT REFERENCES cases (id),
    unit_code      TEXT NOT NULL,
    account        TEXT NOT NULL,
    bank_code      TEXT,
    institution    TEXT NOT NULL,
    requested_fen  BIGINT NOT NULL,
    requested_at   BIGINT NOT NULL,
    deadline       BIGINT NOT NULL,
    state          TEXT NOT NULL,
    held_fen       BIGINT NOT NULL DEFAULT 0,
    executed_at    BIGINT,
    detail         TEXT NOT NULL,
    version        BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    warning_id     TEXT REFERENCES warnings (id),
    instruction_id TEXT,
    resident_id    TEXT,
    reason         TEXT,
    requested_by   TEXT,
    CHECK (case_id IS NOT NULL OR warning_id IS NOT NULL)
);
INSERT INTO stop_payments_v2 (id, case_id, unit_code, account, bank_code, institution,
                              requested_fen, requested_at, deadline, state, held_fen,
                              executed_at, detail, version, updated_at)
    SELECT id, case_id, unit_code, account, bank_code, institution, requested_fen,
           requested_at, deadline, state, held_fen, executed_at, detail, version, updated_at
    FROM stop_payments;
DROP TABLE stop_payments;
ALTER TABLE stop_payments_v2 RENAME TO stop_payments;
CREATE INDEX stop_payments_case ON stop_payments (case_id);
CREATE INDEX stop_payments_bank ON stop_payments (bank_code, state);
CREATE INDEX stop_payments_unit ON stop_payments (unit_code, requested_at);
CREATE UNIQUE INDEX stop_payments_case_account ON stop_payments (case_id, account);
CREATE INDEX stop_payments_account ON stop_payments (account);
-- One protective request per warning and account; a warning's requests, a person's.
CREATE UNIQUE INDEX stop_payments_warning_account ON stop_payments (warning_id, account);
CREATE INDEX stop_payments_resident ON stop_payments (resident_id);
