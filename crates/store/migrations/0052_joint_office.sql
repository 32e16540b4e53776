-- 联席办 (the joint office of the anti-fraud joint meeting, 反诈联席会议办公室) at the center
-- and at each county: its member departments (成员单位 — party and government departments,
-- townships and streets, banks, telecom operators), the responsibility letters they sign each
-- year (防范电信网络诈骗责任书), the meetings it holds (联席会议, 调度会, 推进会, 培训会), the
-- tasks of its task list (任务清单) assigned to members with a deadline, their reported progress
-- (落实情况) and acceptance, and its spot checks of members' staff on the national anti-fraud
-- app (干部职工注册情况抽查).
--
-- `unit_code` is the unit whose joint office keeps the record: reads are scoped by it; a task
-- and a spot check carry their member's. `version` of a task counts the entries of
-- `joint_task_events`, its history. Times epoch ms UTC.
CREATE TABLE joint_members (
    id            {{ID_PK}},
    unit_code     TEXT NOT NULL REFERENCES org_units (code),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('government', 'township', 'finance', 'telecom',
                                                'other')),
    contact_name  TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    staff         BIGINT NOT NULL CHECK (staff >= 0),
    note          TEXT NOT NULL DEFAULT '',
    left_at       BIGINT,
    left_reason   TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_by    TEXT,
    updated_at    BIGINT,
    version       BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE UNIQUE INDEX joint_members_active ON joint_members (unit_code, name) WHERE left_at IS NULL;

CREATE TABLE joint_letters (
    id         {{ID_PK}},
    member_id  BIGINT NOT NULL REFERENCES joint_members (id),
    year       BIGINT NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    signed_at  BIGINT NOT NULL,
    signer     TEXT NOT NULL,
    duties     TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (member_id, year)
);

CREATE TABLE joint_meetings (
    id         {{ID_PK}},
    unit_code  TEXT NOT NULL REFERENCES org_units (code),
    kind       TEXT NOT NULL CHECK (kind IN ('joint', 'dispatch', 'promotion', 'training')),
    title      TEXT NOT NULL,
    held_at    BIGINT NOT NULL,
    chair      TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX joint_meetings_unit ON joint_meetings (unit_code, held_at);

CREATE TABLE joint_meeting_members (
    meeting_id BIGINT NOT NULL REFERENCES joint_meetings (id),
    member_id  BIGINT NOT NULL REFERENCES joint_members (id),
    PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE joint_tasks (
    id          {{ID_PK}},
    unit_code   TEXT NOT NULL REFERENCES org_units (code),
    member_id   BIGINT NOT NULL REFERENCES joint_members (id),
    meeting_id  BIGINT REFERENCES joint_meetings (id),
    title       TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    assigned_by TEXT NOT NULL,
    assigned_at BIGINT NOT NULL,
    due_at      BIGINT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('open', 'reported', 'done')),
    report      TEXT,
    reporter    TEXT,
    reported_at BIGINT,
    reported_by TEXT,
    returns     BIGINT NOT NULL DEFAULT 0 CHECK (returns >= 0),
    done_at     BIGINT,
    done_by     TEXT,
    on_time     BIGINT,
    version     BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX joint_tasks_unit ON joint_tasks (unit_code, state, due_at);
CREATE INDEX joint_tasks_member ON joint_tasks (member_id);

CREATE TABLE joint_task_events (
    task_id BIGINT NOT NULL REFERENCES joint_tasks (id),
    seq     BIGINT NOT NULL CHECK (seq >= 1),
    kind    TEXT NOT NULL CHECK (kind IN ('assigned', 'reported', 'returned', 'accepted')),
    actor   TEXT NOT NULL,
    at      BIGINT NOT NULL,
    note    TEXT NOT NULL,
    due_at  BIGINT,
    PRIMARY KEY (task_id, seq)
);

CREATE TABLE joint_spot_checks (
    id         {{ID_PK}},
    unit_code  TEXT NOT NULL REFERENCES org_units (code),
    member_id  BIGINT NOT NULL REFERENCES joint_members (id),
    checked_at BIGINT NOT NULL,
    checked    BIGINT NOT NULL CHECK (checked >= 1),
    registered BIGINT NOT NULL CHECK (registered >= 0 AND registered <= checked),
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX joint_spot_checks_member ON joint_spot_checks (member_id, checked_at);
