-- 通报: numbered bulletins a unit issues to the units directly below it — 情况通报 (cases,
-- warnings, money, prevention of a period) and 诈骗手法通报 (a new scam) — with each recipient
-- unit's receipt (签收). `number` counts the issuer's bulletins of `year` (Asia/Shanghai):
-- 2026年第N期. The text is frozen when issued. Times epoch ms UTC.
CREATE TABLE bulletins (
    id         {{ID_PK}},
    unit_code  TEXT NOT NULL REFERENCES org_units (code),
    year       BIGINT NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    number     BIGINT NOT NULL CHECK (number >= 1),
    kind       TEXT NOT NULL CHECK (kind IN ('situation', 'methods')),
    title      TEXT NOT NULL,
    period     TEXT NOT NULL,
    fraud_type TEXT,
    body       TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    UNIQUE (unit_code, year, number)
);
CREATE INDEX bulletins_issued ON bulletins (issued_at);

CREATE TABLE bulletin_recipients (
    bulletin_id BIGINT NOT NULL REFERENCES bulletins (id),
    unit_code   TEXT NOT NULL REFERENCES org_units (code),
    signed_by   TEXT,
    signed_at   BIGINT,
    PRIMARY KEY (bulletin_id, unit_code)
);
CREATE INDEX bulletin_recipients_unit ON bulletin_recipients (unit_code, signed_at);
