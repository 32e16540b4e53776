-- Users belong to one org unit and see its subtree; bank liaisons also carry their bank.
CREATE TABLE users (
    login         TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    unit_code     TEXT NOT NULL REFERENCES org_units (code),
    bank_code     TEXT,
    password_hash TEXT,
    active        BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX users_unit ON users (unit_code);

CREATE TABLE user_roles (
    login TEXT NOT NULL REFERENCES users (login) ON DELETE CASCADE,
    role  TEXT NOT NULL CHECK (role IN ('center_analyst', 'unit_commander', 'grid_worker',
                                        'bank_liaison', 'leader', 'admin')),
    PRIMARY KEY (login, role)
);
