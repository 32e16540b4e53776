-- 涉诈号码处置 (通讯反制): the center or a unit asks a telecom operator to shut down (关停),
-- bar outgoing calls on (限制呼出) or intercept (拦截) a number used for fraud; the operator's
-- liaison answers within the deadline (executed, with the registered holder when the operator
-- gives it, or not possible and why). Police read the requests of their subtree by the
-- requesting unit; an operator's liaison reads those addressed to their operator only.
--
-- One pending request per number: asking again while one is open is a conflict. Times epoch ms
-- UTC. `version` counts the request's changes (a write names the version it read).
CREATE TABLE number_disposals (
    id            {{ID_PK}},
    number        TEXT NOT NULL,
    number_kind   TEXT NOT NULL,
    operator      TEXT NOT NULL CHECK (operator IN ('china_mobile', 'china_unicom',
                                                    'china_telecom', 'china_broadnet')),
    measure       TEXT NOT NULL CHECK (measure IN ('shutdown', 'restrict_outgoing',
                                                   'intercept')),
    reason        TEXT NOT NULL,
    warning_id    TEXT,
    case_id       TEXT,
    unit_code     TEXT NOT NULL REFERENCES org_units (code),
    urgent        BIGINT NOT NULL CHECK (urgent IN (0, 1)),
    requested_by  TEXT NOT NULL,
    requested_at  BIGINT NOT NULL,
    deadline      BIGINT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'executed', 'failed',
                                                 'withdrawn')),
    answer_note   TEXT NOT NULL DEFAULT '',
    holder_name   TEXT,
    holder_id     TEXT,
    answered_by   TEXT,
    answered_at   BIGINT,
    version       BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE UNIQUE INDEX number_disposals_open ON number_disposals (number) WHERE state = 'pending';
CREATE INDEX number_disposals_unit ON number_disposals (unit_code, requested_at);
CREATE INDEX number_disposals_operator ON number_disposals (operator, state, requested_at);
CREATE INDEX number_disposals_number ON number_disposals (number, requested_at);

-- Operator liaisons (运营商联络员) carry their operator as bank liaisons carry their bank.
-- SQLite cannot alter a CHECK, so the role table is rebuilt with its rows.
ALTER TABLE users ADD COLUMN operator TEXT;
CREATE TABLE user_roles_v2 (
    login TEXT NOT NULL REFERENCES users (login) ON DELETE CASCADE,
    role  TEXT NOT NULL CHECK (role IN ('center_analyst', 'unit_commander', 'grid_worker',
                                        'bank_liaison', 'operator_liaison', 'leader', 'admin')),
    PRIMARY KEY (login, role)
);
INSERT INTO user_roles_v2 (login, role) SELECT login, role FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_v2 RENAME TO user_roles;
