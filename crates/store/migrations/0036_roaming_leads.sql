-- 手机漫游线索: the national joint office pushes down numbers seen roaming in the regions the
-- fraud compounds work from (缅北, 柬埔寨, 老挝金三角 …), for the same on-the-ground check as
-- the bank and phone cards: is the holder abroad (滞留境外, to be persuaded back), back home
-- (回流, to be examined), abroad for ordinary reasons (务工/旅游/商务), or is the number in
-- someone else's hands (出租出借, 出售)? `place` keeps where the number roams.
--
-- SQLite cannot alter a CHECK, so the table is rebuilt with its rows and indexes on both
-- backends (nothing references it); PostgreSQL's key generator is moved past the copied ids.
CREATE TABLE two_card_leads_v2 (
    id           {{ID_PK}},
    kind         TEXT NOT NULL CHECK (kind IN ('bank_card', 'sim', 'roaming')),
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
                                                          'not_found', 'other', 'abroad',
                                                          'returned', 'travel')),
    note         TEXT NOT NULL,
    imported_by  TEXT NOT NULL,
    checked_by   TEXT,
    checked_at   BIGINT,
    upstream_id  TEXT NOT NULL DEFAULT '',
    measure      TEXT CHECK (measure IS NULL OR measure IN ('criminal_detention', 'arrest', 'bail',
                                                            'residential_surveillance',
                                                            'administrative', 'education')),
    measure_at   BIGINT,
    place        TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, number, source, batch)
);
INSERT INTO two_card_leads_v2 (id, kind, number, resident_id, holder_name, reason, source, batch,
                               unit_code, received_at, deadline, state, result, note,
                               imported_by, checked_by, checked_at, upstream_id, measure,
                               measure_at)
    SELECT id, kind, number, resident_id, holder_name, reason, source, batch, unit_code,
           received_at, deadline, state, result, note, imported_by, checked_by, checked_at,
           upstream_id, measure, measure_at
    FROM two_card_leads;
DROP TABLE two_card_leads;
ALTER TABLE two_card_leads_v2 RENAME TO two_card_leads;
CREATE INDEX two_card_leads_unit ON two_card_leads (unit_code, received_at);
{{RESYNC_ID:two_card_leads}}
