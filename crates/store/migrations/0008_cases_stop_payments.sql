-- Cases (案件) of defrauded people, the transfers taken in for tracing their money, and the
-- emergency stop-payments (紧急止付) addressed to banks and payment platforms.
CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    resident_id     TEXT,
    victim_name     TEXT,
    victim_phone    TEXT,
    unit_code       TEXT NOT NULL,
    reported_at     BIGINT NOT NULL,
    loss_fen        BIGINT NOT NULL CHECK (loss_fen >= 0),
    narrative       TEXT NOT NULL,
    fraud_type      TEXT,
    type_score      BIGINT NOT NULL DEFAULT 0,
    top_terms       TEXT NOT NULL,
    source          TEXT NOT NULL,
    instruction_id  TEXT,
    victim_account  TEXT,
    public_sector   BIGINT NOT NULL DEFAULT 0 CHECK (public_sector IN (0, 1)),
    employer        TEXT,
    named           TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX cases_unit ON cases (unit_code, reported_at);
CREATE INDEX cases_instruction ON cases (instruction_id);

CREATE TABLE case_transfers (
    case_id      TEXT NOT NULL REFERENCES cases (id),
    seq          BIGINT NOT NULL,
    txn_id       TEXT,
    from_account TEXT NOT NULL,
    to_account   TEXT NOT NULL,
    at           BIGINT NOT NULL,
    amount_fen   BIGINT NOT NULL CHECK (amount_fen > 0),
    channel      TEXT NOT NULL,
    source_file  TEXT,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE stop_payments (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    unit_code     TEXT NOT NULL,
    account       TEXT NOT NULL,
    bank_code     TEXT,
    institution   TEXT NOT NULL,
    requested_fen BIGINT NOT NULL,
    requested_at  BIGINT NOT NULL,
    deadline      BIGINT NOT NULL,
    state         TEXT NOT NULL,
    held_fen      BIGINT NOT NULL DEFAULT 0,
    executed_at   BIGINT,
    detail        TEXT NOT NULL,
    version       BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX stop_payments_case ON stop_payments (case_id);
CREATE INDEX stop_payments_bank ON stop_payments (bank_code, state);
CREATE INDEX stop_payments_unit ON stop_payments (unit_code, requested_at);
CREATE UNIQUE INDEX stop_payments_case_account ON stop_payments (case_id, account);
