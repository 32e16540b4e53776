-- 精准宣防名单: a unit's residents of one group the area's frauds hit most (60岁以上, 18–25岁,
-- 财政供养人员) who are not on the national anti-fraud app, issued as a list for the grid
-- workers to reach door by door before a deadline, each row recorded as reached (with the app
-- installed or not) or not met. The rows are the residents when the list was issued; their unit
-- is the resident's unit at that moment. Times epoch ms UTC.
CREATE TABLE outreach_lists (
    id           {{ID_PK}},
    unit_code    TEXT NOT NULL REFERENCES org_units (code),
    target_group TEXT NOT NULL CHECK (target_group IN ('elderly', 'young', 'public_sector')),
    fraud_type   TEXT,
    deadline     BIGINT NOT NULL,
    residents    BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX outreach_lists_unit ON outreach_lists (unit_code, created_at);

CREATE TABLE outreach_list_rows (
    id            {{ID_PK}},
    list_id       BIGINT NOT NULL REFERENCES outreach_lists (id),
    resident_id   TEXT NOT NULL,
    unit_code     TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'reached', 'unreachable')),
    app_installed BIGINT NOT NULL DEFAULT 0 CHECK (app_installed IN (0, 1)),
    note          TEXT NOT NULL DEFAULT '',
    done_by       TEXT,
    done_at       BIGINT,
    version       BIGINT NOT NULL DEFAULT 0,
    UNIQUE (list_id, resident_id)
);
CREATE INDEX outreach_list_rows_list ON outreach_list_rows (list_id, unit_code);
CREATE INDEX outreach_list_rows_unit ON outreach_list_rows (unit_code, state);
