-- New-card screening (新开卡审查): the cards in the banks' daily lists of newly opened cards,
-- each with its screening (score, level, the reasons found as JSON) and, for the risky ones,
-- the review (审查) a police unit records.
--
-- A card is listed once (`account_no`): a list sent again adds nothing. `unit_code` is the unit
-- of the holder's registered residence, else the importing unit; police read by subtree, a
-- bank liaison by `bank_code`. `state`: `not_queued` (level below medium, nothing to review),
-- `pending` (on the review list), `reviewed`. Times are epoch ms UTC.
CREATE TABLE new_cards (
    id              {{ID_PK}},
    account_no      TEXT NOT NULL UNIQUE,
    bank_code       TEXT NOT NULL,
    bank_name       TEXT NOT NULL,
    resident_id     TEXT NOT NULL,
    holder_name     TEXT NOT NULL,
    phone           TEXT,
    opened_at       BIGINT NOT NULL,
    outlet          TEXT NOT NULL,
    outlet_division TEXT,
    unit_code       TEXT NOT NULL,
    batch           TEXT NOT NULL,
    score           BIGINT NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('none', 'low', 'medium', 'high')),
    findings        TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('not_queued', 'pending', 'reviewed')),
    verdict         TEXT CHECK (verdict IS NULL OR verdict IN ('normal', 'watch', 'card_seller',
                                                               'impersonated')),
    note            TEXT NOT NULL,
    imported_by     TEXT NOT NULL,
    imported_at     BIGINT NOT NULL,
    screened_at     BIGINT NOT NULL,
    reviewed_by     TEXT,
    reviewed_at     BIGINT
);
CREATE INDEX new_cards_unit ON new_cards (unit_code, opened_at);
CREATE INDEX new_cards_holder ON new_cards (resident_id, opened_at);
CREATE INDEX new_cards_bank ON new_cards (bank_code, opened_at);
CREATE INDEX new_cards_phone ON new_cards (phone);
