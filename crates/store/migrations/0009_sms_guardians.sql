-- SMS sent over SMPP and the guardians (金钟罩 family members) who receive alerts.
--
-- An SMS row is queued, submitted to the SMSC (which answers with its message id), and then
-- settled by the SMSC's delivery receipt: `delivered`, or `failed` with the receipt's status.
-- A submission the SMSC never accepted is retried with backoff and ends `dead` (the dead-letter
-- list) when the attempts run out. Rows survive restarts: a worker resumes from
-- `next_attempt_at`, and a receipt arriving after a restart still finds its row by
-- `smsc_message_id`.
CREATE TABLE sms_messages (
    id               {{ID_PK}},
    to_number        TEXT NOT NULL,
    text             TEXT NOT NULL,
    purpose          TEXT NOT NULL
                     CHECK (purpose IN ('warning_to_person', 'guardian_alert', 'escalation')),
    instruction_id   TEXT,
    warning_id       TEXT,
    state            TEXT NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'submitted', 'delivered', 'failed', 'dead')),
    smsc_message_id  TEXT,
    attempts         BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    submitted_at     BIGINT,
    delivered_at     BIGINT
);
CREATE INDEX sms_messages_due ON sms_messages (state, next_attempt_at);
CREATE INDEX sms_messages_smsc_id ON sms_messages (smsc_message_id);
CREATE INDEX sms_messages_instruction ON sms_messages (instruction_id, id);
CREATE INDEX sms_messages_warning ON sms_messages (warning_id, id);

-- Family members or other guardians registered for a resident under 金钟罩 joint defense.
-- Reads are scoped through the resident's unit.
CREATE TABLE guardians (
    id            {{ID_PK}},
    resident_id   TEXT NOT NULL REFERENCES people (resident_id),
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL,
    relationship  TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX guardians_resident ON guardians (resident_id, id);
