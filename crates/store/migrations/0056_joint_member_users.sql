-- Member liaisons (成员单位联络员): a member department of a joint office reports the progress of
-- its own tasks itself. The user carries the member as a bank liaison carries its bank.
-- SQLite cannot alter a CHECK, so the role table is rebuilt with its rows.
ALTER TABLE users ADD COLUMN joint_member_id BIGINT REFERENCES joint_members (id);
CREATE TABLE user_roles_v3 (
    login TEXT NOT NULL REFERENCES users (login) ON DELETE CASCADE,
    role  TEXT NOT NULL CHECK (role IN ('center_analyst', 'unit_commander', 'grid_worker',
                                        'bank_liaison', 'operator_liaison', 'joint_member',
                                        'leader', 'admin')),
    PRIMARY KEY (login, role)
);
INSERT INTO user_roles_v3 (login, role) SELECT login, role FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_v3 RENAME TO user_roles;
