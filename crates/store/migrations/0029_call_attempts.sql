-- 96110 call attempts: one row per call an operator made and recorded, kept apart from the task
-- (which holds only its last result), so that the volume of the seat group — calls made,
-- connected, dissuaded, per seat and per period (拨打预警电话N次，劝阻M人) — can be counted.
-- Written in the same transaction as the task's result, removed with it when that result is
-- undone. `unit_code` is the task's (the person's residence unit). Times epoch ms UTC.
CREATE TABLE call_attempts (
    id         {{ID_PK}},
    task_id    BIGINT NOT NULL REFERENCES call_tasks (id),
    unit_code  TEXT NOT NULL,
    operator   TEXT NOT NULL,
    result     TEXT NOT NULL CHECK (result IN ('dissuaded', 'insisted', 'no_answer',
                                               'switched_off', 'empty_number', 'refused')),
    at         BIGINT NOT NULL
);
CREATE INDEX call_attempts_at ON call_attempts (at);
CREATE INDEX call_attempts_task ON call_attempts (task_id, id);

-- Calls recorded before this table existed: the last call of each task that is done — its
-- seat still holds it and nothing changed it since. Calls of tasks that were retried, released
-- or cancelled afterwards are left out: their seat and time are no longer known.
INSERT INTO call_attempts (task_id, unit_code, operator, result, at)
    SELECT id, unit_code, claimed_by, result, updated_at
    FROM call_tasks
    WHERE state = 'done' AND result IS NOT NULL AND claimed_by IS NOT NULL;
