-- 劝阻队伍: the people who go to a warned resident, per village (seed 003: "组建反诈民警、社区
-- 民警、乡村（街道）干部、网格员'四位一体'的专门劝阻队伍，确保找得到人、见得着面、说得上话";
-- seed 000: "一村（格）一警"). A member sits at a village (community, grid) or at a township
-- (street, police station), where they serve every village below. Members need no login: a
-- village cadre is reached by phone; `login` links the member's account where there is one.
-- Names and phones are personal data (masked in lists). Removing keeps the row (removed_at).
-- Times epoch ms UTC.
CREATE TABLE team_members (
    id          {{ID_PK}},
    unit_code   TEXT NOT NULL REFERENCES org_units (code),
    kind        TEXT NOT NULL CHECK (kind IN
                  ('anti_fraud_officer', 'community_officer', 'cadre', 'grid_worker')),
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL,
    login       TEXT REFERENCES users (login),
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_by  TEXT,
    updated_at  BIGINT,
    removed_at  BIGINT,
    version     BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX team_members_unit ON team_members (unit_code);
-- One active entry per person, kind and place: a list imported again changes nothing.
CREATE UNIQUE INDEX team_members_once ON team_members (unit_code, kind, phone)
    WHERE removed_at IS NULL;
