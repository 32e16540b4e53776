-- 订单信息泄露溯源 handed to the industry's regulator: a suspected shop or courier outlet (a
-- group of the leak-sources page, by its key) turned into a joint-office task for a member
-- department (邮政管理局 for an outlet, 市场监管局 or 商务局 for a shop) — seed 002: "分析行业监管
-- 漏洞，督促行业主管部门监管履责". One row per task; the task itself carries its state.
CREATE TABLE leak_source_tasks (
    id         {{ID_PK}},
    unit_code  TEXT NOT NULL REFERENCES org_units (code),
    group_by   TEXT NOT NULL CHECK (group_by IN ('shop', 'outlet')),
    group_key  TEXT NOT NULL,
    task_id    BIGINT NOT NULL REFERENCES joint_tasks (id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX leak_source_tasks_group ON leak_source_tasks (unit_code, group_by, group_key);
