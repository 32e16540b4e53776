-- Two-card leads (两卡线索) pushed down for on-the-ground checks (落地核查): a bank card or phone
-- card (SIM) and its holder, why it is suspect, the unit that checks it (the holder's residence
-- unit when registered, else the importing unit), and the result of the check.
--
-- A lead is received once per (kind, number, source, batch): importing a batch again adds
-- nothing. Times are epoch ms UTC.
CREATE TABLE two_card_leads (
    id           {{ID_PK}},
    kind         TEXT NOT NULL CHECK (kind IN ('bank_card', 'sim')),
    number       TEXT NOT NULL,
    resident_id  TEXT NOT NULL,
    holder_name  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('national', 'province', 'center')),
    batch        TEXT NOT NULL,
    unit_code    TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    deadline     BIGINT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'checked')),
    result       TEXT CHECK (result IS NULL OR result IN ('normal', 'lent', 'sold', 'cancelled',
                                                          'not_found', 'other')),
    note         TEXT NOT NULL,
    imported_by  TEXT NOT NULL,
    checked_by   TEXT,
    checked_at   BIGINT,
    UNIQUE (kind, number, source, batch)
);
CREATE INDEX two_card_leads_unit ON two_card_leads (unit_code, received_at);
