-- 开卡前核验 · 一线拦截: before a bank or an operator opens a card, its counter asks the platform
-- about the applicant and gets advice (`proceed`, `verify`, `refuse`) from the same screening a
-- new card gets; the counter then records what it did (`refused`, `abandoned` by the applicant,
-- or `opened` after checking). Police read the checks of their subtree by the applicant's unit
-- (the registered residence, else the checking liaison's unit); an issuer reads its own only
-- (`issuer_code`: the bank's code, or the operator's for phone cards).
--
-- `findings` is the screening's JSON, police-only reasons included (the issuer's view filters
-- them). `state`: `pending` until the counter records the outcome, then `answered`. `version`
-- counts the check's changes. Times epoch ms UTC.
CREATE TABLE card_checks (
    id              {{ID_PK}},
    kind            TEXT NOT NULL CHECK (kind IN ('bank_card', 'sim_card')),
    issuer_code     TEXT NOT NULL,
    issuer_name     TEXT NOT NULL,
    resident_id     TEXT NOT NULL,
    holder_name     TEXT NOT NULL,
    phone           TEXT,
    outlet          TEXT NOT NULL,
    outlet_division TEXT,
    clerk           TEXT NOT NULL,
    unit_code       TEXT NOT NULL REFERENCES org_units (code),
    verdict         TEXT NOT NULL CHECK (verdict IN ('proceed', 'verify', 'refuse')),
    score           BIGINT NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('none', 'low', 'medium', 'high')),
    findings        TEXT NOT NULL,
    checked_by      TEXT NOT NULL,
    checked_at      BIGINT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'answered')),
    outcome         TEXT CHECK (outcome IN ('refused', 'abandoned', 'opened')),
    answer_note     TEXT NOT NULL DEFAULT '',
    answered_by     TEXT,
    answered_at     BIGINT,
    version         BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX card_checks_unit ON card_checks (unit_code, checked_at);
CREATE INDEX card_checks_issuer ON card_checks (issuer_code, checked_at);
CREATE INDEX card_checks_holder ON card_checks (resident_id, checked_at);
