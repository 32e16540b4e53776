-- 存量卡清理: the center or a unit asks a bank to check the cards a risky resident already holds
-- there (存量卡) — a holder under a 惩戒 punishment, one whose account received victim money, one
-- who lent or sold a card, one who opens and closes cards again and again — and to close or
-- restrict them; the bank's liaison answers within the deadline with what it found and did.
-- Police read the requests of their subtree by the holder's unit; a bank's liaison reads those
-- addressed to its bank only.
--
-- One pending request per holder and bank. `reasons` is a comma-separated list of reason codes
-- (`punished`, `mule_account`, `gave_card_away`, `frequent_open_close`). Times epoch ms UTC.
-- `version` counts the request's changes (a write names the version it read).
CREATE TABLE card_cleanups (
    id                  {{ID_PK}},
    bank_code           TEXT NOT NULL,
    bank_name           TEXT NOT NULL,
    resident_id         TEXT NOT NULL,
    holder_name         TEXT NOT NULL,
    unit_code           TEXT NOT NULL REFERENCES org_units (code),
    reasons             TEXT NOT NULL,
    known_accounts      BIGINT NOT NULL CHECK (known_accounts >= 0),
    note                TEXT NOT NULL DEFAULT '',
    requested_by        TEXT NOT NULL,
    requested_at        BIGINT NOT NULL,
    deadline            BIGINT NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('pending', 'answered', 'withdrawn')),
    outcome             TEXT CHECK (outcome IN ('cleaned', 'normal', 'no_accounts')),
    accounts_found      BIGINT,
    accounts_closed     BIGINT,
    accounts_restricted BIGINT,
    answer_note         TEXT NOT NULL DEFAULT '',
    answered_by         TEXT,
    answered_at         BIGINT,
    version             BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE UNIQUE INDEX card_cleanups_open ON card_cleanups (resident_id, bank_code)
    WHERE state = 'pending';
CREATE INDEX card_cleanups_unit ON card_cleanups (unit_code, requested_at);
CREATE INDEX card_cleanups_bank ON card_cleanups (bank_code, state, requested_at);
CREATE INDEX card_cleanups_holder ON card_cleanups (resident_id, bank_code, requested_at);
