-- Awareness talks and campaigns (反诈宣传): one row per talk, street stand, door-to-door round or
-- live stream, scoped by the unit where it happened; and each unit's yearly target (任务指标),
-- set by the unit above.
--
-- `held_on` is the first instant (epoch ms UTC) of the day it was held, Asia/Shanghai.
CREATE TABLE outreach_events (
    id                {{ID_PK}},
    unit_code         TEXT NOT NULL,
    held_on           BIGINT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('lecture', 'door_to_door', 'street',
                                                    'online', 'other')),
    audience          TEXT NOT NULL CHECK (audience IN ('school', 'enterprise', 'community',
                                                        'elderly', 'public_sector', 'other')),
    place             TEXT NOT NULL,
    people_reached    BIGINT NOT NULL CHECK (people_reached >= 0),
    app_registrations BIGINT NOT NULL CHECK (app_registrations >= 0),
    note              TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);
CREATE INDEX outreach_events_unit ON outreach_events (unit_code, held_on);

CREATE TABLE outreach_quotas (
    unit_code TEXT NOT NULL,
    year      BIGINT NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    events    BIGINT NOT NULL CHECK (events >= 0),
    people    BIGINT NOT NULL CHECK (people >= 0),
    set_by    TEXT NOT NULL,
    set_at    BIGINT NOT NULL,
    PRIMARY KEY (unit_code, year)
);
