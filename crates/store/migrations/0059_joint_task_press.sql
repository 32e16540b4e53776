-- 督办: the office presses a member department on an open task — a history entry with what it
-- asks (texted to the department), the deadline unchanged. SQLite cannot alter a CHECK, so the
-- history table is rebuilt with its rows.
CREATE TABLE joint_task_events_v2 (
    task_id BIGINT NOT NULL REFERENCES joint_tasks (id),
    seq     BIGINT NOT NULL CHECK (seq >= 1),
    kind    TEXT NOT NULL CHECK (kind IN ('assigned', 'reported', 'returned', 'accepted',
                                          'pressed')),
    actor   TEXT NOT NULL,
    at      BIGINT NOT NULL,
    note    TEXT NOT NULL,
    due_at  BIGINT,
    PRIMARY KEY (task_id, seq)
);
INSERT INTO joint_task_events_v2 (task_id, seq, kind, actor, at, note, due_at)
    SELECT task_id, seq, kind, actor, at, note, due_at FROM joint_task_events;
DROP TABLE joint_task_events;
ALTER TABLE joint_task_events_v2 RENAME TO joint_task_events;
