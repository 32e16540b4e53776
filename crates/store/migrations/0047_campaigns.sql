-- 专项行动: a named campaign of a unit (a city's or county's "迎庆"专项行动, 断卡行动 …) over a
-- period, whose results are the enforcement figures of that period in the unit's area. Kept,
-- never deleted; a unit's campaign names are unique. Times are epoch ms UTC ([starts_at,
-- ends_at), whole Shanghai days).
CREATE TABLE campaigns (
    id          {{ID_PK}},
    unit_code   TEXT NOT NULL,
    name        TEXT NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    goal        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (unit_code, name)
);
CREATE INDEX campaigns_unit ON campaigns (unit_code, starts_at);
