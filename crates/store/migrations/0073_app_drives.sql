-- 国家反诈中心APP推广: a drive in which a unit asks the staff of its departments to get their
-- relatives and friends onto the national anti-fraud app, with a quota per person (seed 003:
-- "下发了每人不少于30个的任务指导数，要求县内各单位干部职工发动亲友进行国家反诈中心APP安装注册").
-- Staff enrol as promoters (推广人) through the drive's public link and get a personal link
-- and QR code; a resident who installed the app through it names their area and mobile
-- number, counted once per drive for the first promoter. A counter or service window (柜台、窗口)
-- enrols as a promoter too. A referral is verified when the resident registry says the number's
-- holder is registered on the app. Numbers and names are personal data (masked in lists).
-- Times epoch ms UTC.
CREATE TABLE app_drives (
    id          {{ID_PK}},
    unit_code   TEXT NOT NULL REFERENCES org_units (code),
    code        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    quota       BIGINT NOT NULL CHECK (quota BETWEEN 1 AND 1000),
    opens_at    BIGINT NOT NULL,
    closes_at   BIGINT NOT NULL,
    closed_at   BIGINT,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_by  TEXT,
    updated_at  BIGINT,
    version     BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (closes_at > opens_at)
);
CREATE INDEX app_drives_unit ON app_drives (unit_code, opens_at);

-- The departments a drive expects to take part, with their staff (each owes the quota).
CREATE TABLE app_drive_employers (
    drive_id  BIGINT NOT NULL REFERENCES app_drives (id),
    name      TEXT NOT NULL,
    headcount BIGINT NOT NULL CHECK (headcount >= 1),
    PRIMARY KEY (drive_id, name)
);

CREATE TABLE app_drive_promoters (
    id          {{ID_PK}},
    drive_id    BIGINT NOT NULL REFERENCES app_drives (id),
    -- The code of the personal link residents open; the token of the promoter's own page.
    code        TEXT NOT NULL UNIQUE,
    token       TEXT NOT NULL UNIQUE,
    employer    TEXT,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL,
    enrolled_at BIGINT NOT NULL,
    UNIQUE (drive_id, phone)
);
CREATE INDEX app_drive_promoters_drive ON app_drive_promoters (drive_id, employer);

CREATE TABLE app_drive_referrals (
    id            {{ID_PK}},
    drive_id      BIGINT NOT NULL REFERENCES app_drives (id),
    promoter_id   BIGINT NOT NULL REFERENCES app_drive_promoters (id),
    unit_code     TEXT NOT NULL REFERENCES org_units (code),
    phone         TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    UNIQUE (drive_id, phone)
);
CREATE INDEX app_drive_referrals_promoter ON app_drive_referrals (promoter_id, registered_at);
CREATE INDEX app_drive_referrals_time ON app_drive_referrals (registered_at);
