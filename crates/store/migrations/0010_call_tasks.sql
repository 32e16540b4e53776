-- 96110 call tasks: outbound dissuasion calls (劝阻外呼) the center's seat group makes to the
-- people a warning names.
--
-- A task is `queued` until an operator claims it; a claim holds it for a lease (`lease_until`),
-- after which it counts as queued again and the next claim may take it. Recording the call's
-- result makes it `done`, or puts it back in the queue (`due_at` later) when the person did not
-- pick up and attempts remain. Tasks still open when their instruction gets an outcome or is
-- closed are `cancelled`. Every change bumps `version`, and every state change is an UPDATE
-- guarded by the state and version it was decided against, so two operators never hold one
-- task on either backend.
CREATE TABLE call_tasks (
    id              {{ID_PK}},
    instruction_id  TEXT NOT NULL REFERENCES instructions (id),
    warning_id      TEXT NOT NULL,
    resident_id     TEXT,
    -- The number to call, canonical (13812345678, 0574-62345678, +12025550123).
    msisdn          TEXT NOT NULL,
    level           BIGINT NOT NULL CHECK (level IN (1, 2, 3)),
    fraud_type      TEXT,
    -- The unit owning the person's residence: the task is seen and worked inside its subtree.
    unit_code       TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'claimed', 'done', 'cancelled')),
    claimed_by      TEXT,
    claimed_at      BIGINT,
    lease_until     BIGINT,
    -- Not claimable before (a retry after no answer waits).
    due_at          BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    result          TEXT CHECK (result IN ('dissuaded', 'insisted', 'no_answer', 'switched_off',
                                           'empty_number', 'refused')),
    note            TEXT,
    cancel_reason   TEXT,
    version         BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
-- One open task per instruction and number: a merged warning for the same phone adds none.
CREATE UNIQUE INDEX call_tasks_open_number ON call_tasks (instruction_id, msisdn)
    WHERE state IN ('queued', 'claimed');
CREATE INDEX call_tasks_queue ON call_tasks (state, level, created_at);
CREATE INDEX call_tasks_unit ON call_tasks (unit_code, state);
CREATE INDEX call_tasks_instruction ON call_tasks (instruction_id, id);
