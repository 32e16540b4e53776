-- 集群战役: a coordinated strike on one case cluster. A unit (the center, a county bureau) launches
-- it from a case of its area (主案; its linked cases are the cluster), names the day of the strike
-- (收网日) and the targets (打击目标), each landed on the unit of its area that is to find them
-- (落地单位). That unit reports what it found: located (已落地), caught with the measure taken
-- (已抓获 — the person becomes a suspect of the main case with that measure, so the enforcement
-- figures count them), or not found (未查到, with why); the launcher may withdraw a target
-- (撤销). An operation is ended (结束) by its launcher; it is kept, never deleted.
-- Times epoch ms UTC; `version` counts a target's changes (a write names the version it read).
CREATE TABLE cluster_operations (
    id          {{ID_PK}},
    unit_code   TEXT NOT NULL REFERENCES org_units (code),
    name        TEXT NOT NULL,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    strike_at   BIGINT NOT NULL,
    goal        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    ended_by    TEXT,
    ended_at    BIGINT,
    UNIQUE (unit_code, name)
);
CREATE INDEX cluster_operations_unit ON cluster_operations (unit_code, created_at);
CREATE INDEX cluster_operations_case ON cluster_operations (case_id);

CREATE TABLE cluster_targets (
    id           {{ID_PK}},
    operation_id BIGINT NOT NULL REFERENCES cluster_operations (id),
    unit_code    TEXT NOT NULL REFERENCES org_units (code),
    name         TEXT NOT NULL,
    resident_id  TEXT NOT NULL,
    phone        TEXT,
    role         TEXT NOT NULL,
    clue         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL
                 CHECK (state IN ('pending', 'located', 'caught', 'not_found', 'withdrawn')),
    measure      TEXT,
    measure_at   BIGINT,
    suspect_id   BIGINT,
    report_note  TEXT NOT NULL DEFAULT '',
    reported_by  TEXT,
    reported_at  BIGINT,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    UNIQUE (operation_id, resident_id)
);
CREATE INDEX cluster_targets_unit ON cluster_targets (unit_code, state);
