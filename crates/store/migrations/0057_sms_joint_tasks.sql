-- A joint-office member department is texted when a task is assigned to it or returned to it
-- (purpose `joint_task`, the task in `joint_task_id`), so the office's page can say whether the
-- department's contact received it. SQLite cannot alter a CHECK, so the table is rebuilt with
-- its rows.
CREATE TABLE sms_messages_v2 (
    id               {{ID_PK}},
    to_number        TEXT NOT NULL,
    text             TEXT NOT NULL,
    purpose          TEXT NOT NULL
                     CHECK (purpose IN ('warning_to_person', 'guardian_alert', 'escalation',
                                        'joint_task')),
    instruction_id   TEXT,
    warning_id       TEXT,
    joint_task_id    BIGINT REFERENCES joint_tasks (id),
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
INSERT INTO sms_messages_v2 (id, to_number, text, purpose, instruction_id, warning_id, state,
                             smsc_message_id, attempts, next_attempt_at, last_error, created_at,
                             submitted_at, delivered_at)
    SELECT id, to_number, text, purpose, instruction_id, warning_id, state, smsc_message_id,
           attempts, next_attempt_at, last_error, created_at, submitted_at, delivered_at
    FROM sms_messages;
DROP TABLE sms_messages;
ALTER TABLE sms_messages_v2 RENAME TO sms_messages;
CREATE INDEX sms_messages_due ON sms_messages (state, next_attempt_at);
CREATE INDEX sms_messages_smsc_id ON sms_messages (smsc_message_id);
CREATE INDEX sms_messages_instruction ON sms_messages (instruction_id, id);
CREATE INDEX sms_messages_warning ON sms_messages (warning_id, id);
CREATE INDEX sms_messages_joint_task ON sms_messages (joint_task_id, id);
{{RESYNC_ID:sms_messages}}
