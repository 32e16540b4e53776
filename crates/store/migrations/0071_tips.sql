-- 举报线索: what grid workers, residents and the industry partners report to the police — a
-- number that called with a scam script, a phishing link, an account a "customer service"
-- asked someone to pay into, an app, someone collecting cards — for the center or the unit to
-- check (核查): confirmed (and acted on: the number shut down, the account stopped …) or
-- dismissed with why. `reporter_phone` is a resident's callback number (personal data: masked
-- in lists). Times epoch ms UTC.
CREATE TABLE tips (
    id             {{ID_PK}},
    unit_code      TEXT NOT NULL REFERENCES org_units (code),
    kind           TEXT NOT NULL CHECK (kind IN ('phone', 'url', 'account', 'app', 'person',
                                                 'other')),
    subject        TEXT NOT NULL,
    detail         TEXT NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('grid_worker', 'resident', 'partner',
                                                   'police')),
    reporter_phone TEXT,
    reported_by    TEXT NOT NULL,
    reported_at    BIGINT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'dismissed')),
    finding        TEXT NOT NULL DEFAULT '',
    reviewed_by    TEXT,
    reviewed_at    BIGINT,
    version        BIGINT NOT NULL DEFAULT 1,
    updated_by     TEXT,
    updated_at     BIGINT,
    CHECK ((state = 'pending') = (reviewed_at IS NULL))
);
CREATE INDEX tips_unit ON tips (unit_code, reported_at);
CREATE INDEX tips_state ON tips (state, reported_at);
