-- Warnings (from detection or pushed by the national center) and the instructions of the
-- closed loop. An instruction's truth is its append-only event list; the `instructions` row is
-- the projection that lists and deadline scans read, updated in the same transaction as each
-- event under optimistic concurrency (`version`).
CREATE TABLE warnings (
    id             TEXT PRIMARY KEY,
    resident_id    TEXT,
    msisdn         TEXT,
    unit_code      TEXT NOT NULL,
    level          BIGINT NOT NULL CHECK (level IN (1, 2, 3)),
    fraud_type     TEXT,
    score_permille BIGINT NOT NULL DEFAULT 0,
    source         TEXT NOT NULL,
    signal_at      BIGINT NOT NULL,
    detected_at    BIGINT NOT NULL,
    evidence       TEXT NOT NULL,
    instruction_id TEXT
);
CREATE INDEX warnings_unit ON warnings (unit_code, detected_at);
CREATE INDEX warnings_detected ON warnings (detected_at);
CREATE INDEX warnings_resident ON warnings (resident_id);

CREATE TABLE instructions (
    id           TEXT PRIMARY KEY,
    resident_id  TEXT,
    holder_unit  TEXT NOT NULL,
    owner_unit   TEXT NOT NULL,
    level        BIGINT NOT NULL CHECK (level IN (1, 2, 3)),
    status       TEXT NOT NULL,
    fraud_type   TEXT,
    assignee     TEXT,
    issued_at    BIGINT NOT NULL,
    next_due_at  BIGINT,
    overdue      BIGINT NOT NULL DEFAULT 0 CHECK (overdue IN (0, 1)),
    open         BIGINT NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),
    saved_fen    BIGINT NOT NULL DEFAULT 0,
    loss_fen     BIGINT NOT NULL DEFAULT 0,
    version      BIGINT NOT NULL CHECK (version >= 1),
    state        TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX instructions_holder ON instructions (holder_unit, open, issued_at);
CREATE INDEX instructions_due ON instructions (next_due_at);
CREATE INDEX instructions_resident ON instructions (resident_id, open);
CREATE INDEX instructions_issued ON instructions (issued_at);

CREATE TABLE instruction_events (
    instruction_id TEXT NOT NULL REFERENCES instructions (id),
    seq            BIGINT NOT NULL CHECK (seq >= 1),
    at             BIGINT NOT NULL,
    actor          TEXT NOT NULL,
    unit_code      TEXT NOT NULL,
    action         TEXT NOT NULL,
    event          TEXT NOT NULL,
    PRIMARY KEY (instruction_id, seq)
);
CREATE INDEX instruction_events_at ON instruction_events (at);
{{EVENTS_APPEND_ONLY}}
