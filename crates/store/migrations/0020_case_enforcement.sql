-- Enforcement results (打击成效) of cases: where the investigation stands and the money the
-- investigation recovered (追赃, apart from the stop-payment returns), the suspects (嫌疑人)
-- with the measure taken against each, and the register of gangs and dens dismantled
-- (打掉团伙/窝点). A case without a row in `case_enforcement` is under investigation with
-- nothing recovered. Times are epoch ms UTC, money integer fen.
CREATE TABLE case_enforcement (
    case_id       TEXT PRIMARY KEY REFERENCES cases (id),
    status        TEXT NOT NULL CHECK (status IN ('investigating', 'solved', 'dropped')),
    solved_at     BIGINT,
    recovered_fen BIGINT NOT NULL DEFAULT 0 CHECK (recovered_fen >= 0),
    version       BIGINT NOT NULL,
    updated_by    TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    CHECK ((status = 'solved') = (solved_at IS NOT NULL))
);
CREATE INDEX case_enforcement_solved ON case_enforcement (status, solved_at);

CREATE TABLE case_suspects (
    id          {{ID_PK}},
    case_id     TEXT NOT NULL REFERENCES cases (id),
    name        TEXT NOT NULL,
    resident_id TEXT,
    phone       TEXT,
    role        TEXT NOT NULL CHECK (role IN ('fraudster', 'cash_mule', 'card_seller',
                                              'lead_generator', 'den_operator',
                                              'money_launderer', 'other')),
    measure     TEXT CHECK (measure IN ('criminal_detention', 'arrest', 'bail',
                                        'residential_surveillance', 'administrative',
                                        'education')),
    measure_at  BIGINT,
    note        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CHECK ((measure IS NULL) = (measure_at IS NULL))
);
CREATE INDEX case_suspects_case ON case_suspects (case_id);
CREATE INDEX case_suspects_measure ON case_suspects (measure_at);

CREATE TABLE dismantled_groups (
    id            {{ID_PK}},
    unit_code     TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('fraud_den', 'card_gang', 'laundering_gang',
                                                'goip_den', 'lead_gang', 'other')),
    name          TEXT NOT NULL,
    dismantled_on BIGINT NOT NULL,
    arrested      BIGINT NOT NULL CHECK (arrested >= 0),
    devices       BIGINT NOT NULL CHECK (devices >= 0),
    cards         BIGINT NOT NULL CHECK (cards >= 0),
    note          TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX dismantled_groups_unit ON dismantled_groups (unit_code, dismantled_on);

CREATE TABLE dismantled_group_cases (
    group_id BIGINT NOT NULL REFERENCES dismantled_groups (id),
    case_id  TEXT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (group_id, case_id)
);
CREATE INDEX dismantled_group_cases_case ON dismantled_group_cases (case_id);
